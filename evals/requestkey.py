"""The key of a case's cassette: a hash of everything that shapes the requests it answers.

A cassette answers the requests a review sends; when anything that shapes those requests
changes (a prompt, a process document of the checked repository or a bundled summary, the
SIG data, the output schema, the model, a deterministic rule's message given to the model as
a fact, the request layout), the recorded answers no longer apply and the case is **stale**.

The key is computed from **the requests themselves**: the case's review runs once against an
in-process transport that keeps every request the reviewers would send (no network;
:func:`evals.batch.capture`), so the key can never drift from what is sent, whatever the
reviewers' code does. Requests that depend on an earlier answer (a repair, a checking pass)
cannot be captured that way; the files they are built from are added to the key instead:
every file under ``prompts/`` and the judge's prompt (``evals/prompts/``), and the SIG data
(``agent/data/``).

:func:`components` names the parts, so that a stale case says **what** changed: each request
body is split into its model, output schema, request settings, each ``<process_document>``,
the ``<vep_document>``, the ``<review_facts>`` given to each reviewer and the rest of each
reviewer's instructions; the files are hashed one by one. The key is the hash of all
components (see :func:`key_of`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

from evals.corpus import PROJECT_ROOT

#: Files that shape requests sent after a first answer (hashed into the key).
JUDGE_PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
SIG_DATA_DIR = PROJECT_ROOT / "agent" / "data"

_PROCESS_DOC = re.compile(r'<process_document name="([^"]*)"[^>]*>(.*?)</process_document>', re.S)
_VEP_DOC = re.compile(r"<vep_document[^>]*>(.*?)</vep_document>", re.S)
_FACTS = re.compile(r"<review_facts>(.*?)</review_facts>", re.S)


def _h(value) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def _texts(body: dict) -> list[str]:
    """Every text block of a request body: system, then messages."""
    out: list[str] = []

    def take(content):
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            for b in content:
                if isinstance(b, dict) and isinstance(b.get("text"), str):
                    out.append(b["text"])

    take(body.get("system"))
    for m in body.get("messages") or []:
        if isinstance(m, dict):
            take(m.get("content"))
    return out


def request_components(reviewer: str, body: dict) -> dict[str, str]:
    """The named parts of one request body, each hashed (16 hex digits).

    Args:
        reviewer: who sends it (the ``x-vep-review-reviewer`` header).
        body: the JSON body.

    Returns:
        ``{"model": …, "output schema": …, "request settings (<reviewer>)": …,
        "process document <name>": …, "VEP text": …, "facts given to <reviewer>": …,
        "instructions to <reviewer>": …}`` (only the parts present).
    """
    out = {"model": _h(body.get("model"))}
    schema = (body.get("output_config") or {}).get("format") or [t.get("input_schema") for t in body.get("tools") or []]
    out["output schema"] = _h(schema)
    settings = {k: v for k, v in body.items() if k not in ("system", "messages", "model", "tools")}
    if isinstance(settings.get("output_config"), dict):
        settings["output_config"] = {k: v for k, v in settings["output_config"].items() if k != "format"}
    out[f"request settings ({reviewer})"] = _h(settings)
    rest = []
    for text in _texts(body):
        for m in _PROCESS_DOC.finditer(text):
            out[f"process document {m.group(1)}"] = _h(m.group(2))
        for m in _VEP_DOC.finditer(text):
            out["VEP text"] = _h(m.group(1))
        for m in _FACTS.finditer(text):
            out[f"facts given to {reviewer}"] = _h(m.group(1))
        rest.append(_FACTS.sub("", _VEP_DOC.sub("", _PROCESS_DOC.sub("", text))))
    out[f"instructions to {reviewer}"] = _h("\n".join(rest))
    # the layout: which blocks carry cache_control, in which order the parts come
    layout = [[sorted(k for k in b if k != "text") for b in (body.get("system") or []) if isinstance(b, dict)],
              [[sorted(k for k in b if k != "text") for b in (m.get("content") or []) if isinstance(b, dict)]
               for m in body.get("messages") or [] if isinstance(m, dict) and isinstance(m.get("content"), list)]]
    out[f"request layout ({reviewer})"] = _h(layout)
    return out


def file_components() -> dict[str, str]:
    """Hashes of the files that shape requests sent after a first answer: ``prompt <file>``
    for every file under the reviewers' prompt directory, ``judge prompt <file>``, and ``SIG
    data <file>``."""
    from evals import replay

    out = {f"prompt {name}": digest[:16] for name, digest in replay.prompt_files().items()}
    for label, root in (("judge prompt", JUDGE_PROMPTS_DIR), ("SIG data", SIG_DATA_DIR)):
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts:
                    out[f"{label} {p.relative_to(root).as_posix()}"] = _h(p.read_bytes())
    return out


def _clear_caches() -> None:
    """Forget what the reviewers cached from files (process documents, prompts, SIG areas),
    so that the captured requests reflect the files as they are now."""
    for name, module in list(sys.modules.items()):
        if not name.startswith(("agent.llm", "agent.graph")) or module is None:
            continue
        for attr in list(vars(module).values()):
            clear = getattr(attr, "cache_clear", None)
            if callable(clear) and getattr(attr, "__module__", None) == name:
                clear()


def components(captured: list[tuple[str, dict]], model: str) -> dict[str, str]:
    """Every component of a case's requests (:func:`request_components` merged over the
    reviewers; a shared part that differs between reviewers is kept per reviewer) plus
    :func:`file_components` and the model ID."""
    merged: dict[str, set[str]] = {}
    for reviewer, body in captured:
        for k, v in request_components(reviewer, body).items():
            merged.setdefault(k, set()).add(v)
    out = {k: (next(iter(v)) if len(v) == 1 else _h(sorted(v))) for k, v in merged.items()}
    out["model"] = _h(model)
    out["requests sent"] = _h(sorted(_h(b) for _, b in captured))
    out.update(file_components())
    return dict(sorted(out.items()))


def key_of(comps: dict[str, str]) -> str:
    """The cassette key: 16 hex digits over every component."""
    return _h(comps)


def capture(case, corpus, model: str) -> list[tuple[str, dict]]:
    """The first requests ``case``'s review would send (reviewer, JSON body), captured in
    process (:func:`evals.batch.capture`); caches of the reviewers are cleared first.

    Raises:
        RuntimeError: the review could not be run (the reason in one line).
    """
    from evals.batch import capture as run_capture

    _clear_caches()
    got = run_capture(case, corpus, model)
    if not got.requests:
        raise RuntimeError(got.error or "the review sent no request")
    return from_requests(got.requests)


def from_requests(requests: list[tuple[str, str, dict, bytes]]) -> list[tuple[str, dict]]:
    """(reviewer, JSON body) of captured requests (:class:`evals.batch.Captured`), in a stable order."""
    out = []
    for _method, _url, headers, body in requests:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = {"raw": body.decode("utf-8", "replace")}
        out.append((str(headers.get("x-vep-review-reviewer", "?")), parsed))
    return sorted(out, key=lambda rb: (rb[0], _h(rb[1])))


def changed(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """Names of the components that differ (added or removed ones included), most telling
    first: files and documents before the derived "requests sent"."""
    old = old or {}
    names = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    derived = [n for n in names if n == "requests sent"]
    return [n for n in names if n not in derived] + derived
