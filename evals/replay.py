"""Cassettes of the LLM case sets: where they live, what they record, how they replay.

One cassette per case and model::

    evals/cassettes/<model>/<set>/<stem>/<vep>.yaml

- the cassette's ``metadata`` (vcrpy's cassette metadata) records ``model``, the
  ``request_key`` and its ``components`` (:mod:`evals.requestkey`: a hash of everything that
  shapes the requests, computed from the requests the reviewers would send), the prompt hash
  (:func:`prompt_hash`, informative), the case ID, the recording date, the model usage of the
  case (tokens, estimated cost) and ``synthetic``. A case whose current key differs from the
  recorded one is *stale*: the report names the components that changed and leaves the case
  out of the figures until it is recorded again.
- **replay** (the default) uses vcrpy with ``record_mode="none"``: a request that is not in
  the cassette fails, nothing reaches the network. **record** (``--record``) deletes the
  case's cassette and records it again through the real API (``ANTHROPIC_API_KEY``).
- headers ``authorization``, ``x-api-key`` and cookies are scrubbed from recorded
  requests, ``anthropic-organization-id``, ``request-id`` and cookies from responses.
- a cassette anywhere under a folder named ``synthetic`` (or with ``synthetic: true`` in
  its metadata) is hand-made test data: it exercises the harness and is never a model's
  score. Hand-written ones carry no request bodies, so synthetic cassettes are matched by
  method, path and the asking reviewer (``x-vep-review-reviewer``) instead of the body.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from evals.corpus import PROJECT_ROOT

#: Where recorded cassettes of the LLM sets live.
CASSETTES_DIR = Path(__file__).resolve().parent / "cassettes"

#: Request headers never written to a cassette.
SCRUB_REQUEST_HEADERS = ("authorization", "x-api-key", "cookie", "anthropic-organization-id")
#: Response headers never written to a cassette.
SCRUB_RESPONSE_HEADERS = ("anthropic-organization-id", "request-id", "set-cookie", "cf-ray", "x-request-id")

#: What identifies a request on replay: the method, the endpoint path and the JSON body (the
#: prompt and the document). Host and port are left out so that a cassette recorded through
#: a proxy or a local endpoint replays anywhere.
MATCH_ON = ("method", "path", "body")
#: Synthetic cassettes are hand-written and carry no request bodies (tests/cassettes/synthetic/):
#: they are matched on the reviewer that asks (the ``x-vep-review-reviewer`` header) instead.
SYNTHETIC_MATCH_ON = ("method", "path", "reviewer")
REVIEWER_HEADER = "x-vep-review-reviewer"


def _reviewer_matcher(r1, r2):
    """vcrpy matcher: the same ``x-vep-review-reviewer`` request header."""
    def value(r):
        for k, v in r.headers.items():
            if k.lower() == REVIEWER_HEADER:
                return v[0] if isinstance(v, list) else v
        return None

    assert value(r1) == value(r2), f"reviewer {value(r1)} != {value(r2)}"


def prompts_dir() -> Path:
    """The prompt directory the reviewer reads (``$VEP_REVIEW_PROMPTS`` or ``prompts/``)."""
    try:
        from agent.llm.prompts_dir import PROMPTS_DIR

        return Path(PROMPTS_DIR)
    except ImportError:  # pragma: no cover - the reviewer package is not there yet
        return PROJECT_ROOT / "prompts"


def prompt_files(root: Path | None = None) -> dict[str, str]:
    """Relative path -> SHA-256 (hex) of every file under the prompt directory."""
    root = root or prompts_dir()
    out: dict[str, str] = {}
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def prompt_hash(root: Path | None = None) -> str:
    """12 hex digits identifying the prompt version (every file's name and content)."""
    h = hashlib.sha256()
    for name, digest in prompt_files(root).items():
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()[:12]


def safe_model(model: str) -> str:
    """A model ID as a directory name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model)


def cassette_path(root: Path, model: str, case_id: str) -> Path:
    """``<root>/<model>/<case ID>.yaml`` (one cassette per case and model; whether it still
    applies is decided by its ``request_key``, :mod:`evals.requestkey`)."""
    parts = [re.sub(r"[^A-Za-z0-9._-]+", "_", p) for p in case_id.split("/")]
    return root.joinpath(safe_model(model), *parts[:-1], parts[-1] + ".yaml")


def is_synthetic(path: Path, metadata: dict | None = None) -> bool:
    """Whether a cassette is hand-made test data (under a ``synthetic`` folder, or marked so
    in its metadata)."""
    return "synthetic" in path.parts or bool((metadata or {}).get("synthetic"))


def read_metadata(path: Path) -> dict:
    """The ``metadata`` mapping of a cassette file (empty when it has none)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    meta = data.get("metadata") if isinstance(data, dict) else None
    return meta if isinstance(meta, dict) else {}


def _scrub_request(request):
    for name in list(request.headers):
        if name.lower() in SCRUB_REQUEST_HEADERS:
            del request.headers[name]
    return request


def _scrub_response(response):
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in SCRUB_RESPONSE_HEADERS:
            del headers[name]
    return response


def make_vcr(record: bool, synthetic: bool = False, append: bool = False, **options):
    """A ``vcr.VCR`` for replay (``record_mode="none"``) or recording (``"once"`` into a
    fresh file), scrubbing secrets and matching on :data:`MATCH_ON` (on
    :data:`SYNTHETIC_MATCH_ON` for the replay of synthetic cassettes). ``options`` go to
    ``vcr.VCR`` over these defaults (the tests' cassettes set their folder and record mode);
    the scrubbing cannot be overridden."""
    import vcr

    settings = {"record_mode": "once" if record else ("new_episodes" if append else "none"),
                "match_on": SYNTHETIC_MATCH_ON if synthetic and not record else MATCH_ON,
                "decode_compressed_response": True, **options}
    v = vcr.VCR(
        **settings,
        filter_headers=list(SCRUB_REQUEST_HEADERS),
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
    )
    v.register_matcher("reviewer", _reviewer_matcher)
    return v


@contextlib.contextmanager
def cassette(path: Path, *, record: bool, metadata: dict | None = None, synthetic: bool = False,
             append: bool = False) -> Iterator[object]:
    """Replay (or record) the HTTP calls made inside the block from/into ``path``.

    Recording deletes an existing file first and stores ``metadata`` (plus
    ``recorded_at``) in the cassette; replay never touches the network. ``synthetic``:
    match hand-written cassettes by reviewer (:data:`SYNTHETIC_MATCH_ON`). ``append``: replay
    what the cassette holds and record the requests it does not answer (vcrpy
    ``new_episodes``; used after ``--batch`` for the judge's call).

    Raises:
        FileNotFoundError: replay of a cassette that does not exist.
    """
    if record:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    elif not path.is_file():
        raise FileNotFoundError(str(path))
    with make_vcr(record, synthetic, append).use_cassette(str(path)) as cass:
        yield cass
        if record and metadata is not None:
            for key, value in {**metadata, "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}.items():
                cass.get_metadata(key, value)
