"""The LLM case sets: ``concerns`` (human reviewers' concerns on historic VEP PRs) and
``gaps`` (design gaps planted into real VEPs).

Each case reviews one document with :func:`agent.review.review_documents` inside its
cassette (:mod:`evals.replay`): replayed by default, recorded with ``--record``. A case
without a cassette for the model is *not recorded*; one whose cassette was recorded under
another request key (:mod:`evals.requestkey`) is *stale*, with what changed; both are left
out of the figures. A case whose LLM call failed is an *error* and fails the run.

Matching a **planted gap**: the finding's ``category`` equals the expected one (for
``cross-sig`` naming the other SIG) and it is about the planted part (its section, or a quote
overlapping the planted text).

Matching a **human concern** (:func:`concern_match_terms`, :mod:`evals.matching`): the same
part of the VEP — the finding's section, folded to the template's canonical names, is one the
concern is about: the section holding its quote when the quote is in the reviewed version,
plus the category's home sections (:data:`CATEGORY_SECTIONS`; ``other``, ``template``,
``security``, ``feature-gate``, ``cross-sig`` match in any section) — and the same subject
(shared salient terms, in the finding's own words; the other SIG named for ``cross-sig``).
The judge (:mod:`evals.judge`) gives a second verdict per pair; both are reported
(:func:`concern_metrics`), beside the baselines (:func:`run_baseline`).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.document import VepDocument, normalize_heading, parse
from agent.findings import Finding
from agent.llm.fake_server import MARK as FAKE_SERVER_MARK  # how the fake server's findings begin
from agent.template import Template

from evals import replay
from evals.corpus import Corpus, HistoricVersion
from evals.deterministic import CASES_DIR, _vep_label, matches, mutation_env, original_text
from evals.matching import OWN_WORDS, THRESHOLD, subject_match
from evals.mutators import MUTATORS, Mutation, Skip
from evals.results import ERROR, FAIL, NOT_RECORDED, PASS, SKIPPED, STALE, CaseResult, SetResult, compact, ratio

Progress = Callable[[str], None]

#: Printed next to every figure of the ``concerns`` set (../shared/evals/README.md).
CONCERNS_CAVEAT = (
    "Caveat: the human concerns are a partial record (a VEP without a concern may still have had some), "
    "and they were raised on the PR's draft while the merged text may already answer them; recall says "
    "whether the reviewer raises the same concern about the same part of the design, precision "
    "is a lower bound (an unmatched LLM finding may be right). The data set is small (tens of concerns): "
    "one concern moves recall by several points."
)
#: The split line of the caveat for the development split.
DEV_SPLIT_NOTE = ("This is the DEVELOPMENT split (even VEP numbers, ../shared/evals/human-concerns-dev.jsonl): "
                  "the other VEPs are held out for a test split scored elsewhere (--split); do not tune prompts "
                  "to particular VEPs.")
DEV_SPLIT_FILE = "human-concerns-dev.jsonl"
SYNTHETIC_LABEL = "SYNTHETIC cassettes: hand-made harness test data, not a model's score"

#: Home sections of each concern category (canonical template names); ``None``: any section.
CATEGORY_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "api": ("API Examples", "Design"),
    "upgrade-rollback": ("Update/Rollback Compatibility", "Design"),
    "scalability-performance": ("Scalability", "Design"),
    "testing": ("Functional Testing Approach", "Graduation Requirements"),
    "alternatives": ("Alternatives", "Design"),
    "scope-goals": ("Overview", "Motivation", "Goals", "Non Goals", "Definition of Users", "User Stories"),
    "lifecycle-graduation": ("Graduation Requirements", "Implementation History", "VEP Status Metadata"),
    "template": None,
    "feature-gate": None,
    "security": None,
    "cross-sig": None,
    "other": None,
}


@dataclass
class LlmSettings:
    """How the LLM sets run.

    Attributes:
        model: model ID (cassettes are per model).
        cassettes: cassette root (default :data:`evals.replay.CASSETTES_DIR`).
        record: record cassettes through the API instead of replaying.
        batch: record through the Message Batches API (:mod:`evals.batch`), at half price.
        base_url: endpoint for recording (default: the SDK's, or ``$ANTHROPIC_BASE_URL``).
        judge: make (or replay) the judge's call for ``concerns`` cases (:mod:`evals.judge`);
            ``None`` (default): yes, except on synthetic cassettes (their fake answers are
            no judge's).
        append: internal: after a message batch wrote the reviews' cassettes, record the
            requests they do not answer yet (the judge's) into them (vcrpy ``new_episodes``).
        dev_split: the concerns scored are the development split (said in the report).
    """

    model: str
    cassettes: Path = replay.CASSETTES_DIR
    record: bool = False
    batch: bool = False
    base_url: str | None = None
    judge: bool | None = None
    append: bool = False
    dev_split: bool = True

    @property
    def synthetic(self) -> bool:
        """The cassette root is a ``synthetic`` folder: harness test data."""
        return "synthetic" in self.cassettes.resolve().parts


def default_model() -> str:
    """``$VEP_REVIEW_MODEL``, else the reviewer's default model, else ``"unknown-model"``."""
    if os.environ.get("VEP_REVIEW_MODEL"):
        return os.environ["VEP_REVIEW_MODEL"]
    try:
        import agent.review as review

        for name in ("DEFAULT_MODEL",):
            if getattr(review, name, None):
                return str(getattr(review, name))
        opts = review.LlmOptions()
        if getattr(opts, "model", None):
            return str(opts.model)
    except Exception:  # noqa: BLE001 - the reviewer may not exist yet
        pass
    try:
        from agent.llm import client

        if getattr(client, "DEFAULT_MODEL", None):
            return str(client.DEFAULT_MODEL)
    except Exception:  # noqa: BLE001
        pass
    return "unknown-model"


# -- cases -------------------------------------------------------------------------------------

@dataclass
class LlmCase:
    """One document to review and what is expected of the review.

    Attributes:
        id: case ID.
        doc: the document.
        today: the date to check it on.
        expected: for ``concerns``: ``{"concerns": [...]}``; for ``gaps``:
            ``{"category", "section", "planted", "sig"}``.
        target: what the case is about (repository or history path).
        skip: a reason not to run it, if any.
    """

    id: str
    doc: VepDocument | None
    today: object = None
    expected: dict = field(default_factory=dict)
    target: str = ""
    skip: str | None = None


def _dev_version(corpus: Corpus, vep: dict) -> HistoricVersion | None:
    """The historic version a development-split VEP was introduced with (its first commit);
    when that commit touched several files, the one named like the VEP's directory."""
    found = [v for v in corpus.history if v.commit.startswith(str(vep.get("first_commit", "")))]
    if not found:
        return None
    vep_dir = vep["path"].split("/")[2] if vep["path"].count("/") >= 3 else ""

    def score(v: HistoricVersion) -> tuple:
        stem = Path(v.path_at_commit).stem
        return (v.path_at_commit == vep["path"], bool(stem) and stem in vep_dir, -len(v.path_at_commit))

    return max(found, key=score)


def _first_version(corpus: Corpus, sig: str, vep: int) -> HistoricVersion | None:
    """The earliest historic version of VEP ``vep`` of ``sig`` (for splits without a VEP list)."""
    pat = re.compile(rf"^veps/{re.escape(str(sig))}/0*{int(vep)}-[^/]+/")
    found = [v for v in corpus.history if pat.match(v.path_at_commit) or pat.match(v.path)]
    return min(found, key=lambda v: (v.date, v.path != v.path_at_commit)) if found else None


def split_file(corpus: Corpus, split: Path | None = None) -> Path:
    """The concerns file scored: ``split``, else the development split of the shared data."""
    return Path(split) if split else corpus.evals_dir / DEV_SPLIT_FILE


def is_dev_split(corpus: Corpus, split: Path | None = None) -> bool:
    """Whether the concerns file scored is the development split."""
    path = split_file(corpus, split)
    default = corpus.evals_dir / DEV_SPLIT_FILE
    try:
        return path.resolve() == default.resolve() or path.name == DEV_SPLIT_FILE
    except OSError:
        return False


def concern_cases(corpus: Corpus, split: Path | None = None) -> list[LlmCase]:
    """One case per VEP with at least one human concern in the split, reviewing the version
    its introducing PR merged, at the path it had then, on that commit's date.

    Args:
        corpus: the corpus (with its history).
        split: a concerns file of the ``human-concerns-dev.jsonl`` schema (``vep``, ``sig``,
            ``category``, ``summary``, ``quote``…); default: the development split. The VEP
            list beside it (``veps-<name>.jsonl`` for ``human-concerns-<name>.jsonl``) gives
            each VEP's ``first_commit``; without one, a VEP's earliest historic version is used.

    Raises:
        FileNotFoundError: ``split`` was given and does not exist.
        ValueError: a line of ``split`` is not JSON or lacks ``vep``/``sig``.
    """
    concerns_file = split_file(corpus, split)
    if split is not None and not concerns_file.is_file():
        raise FileNotFoundError(f"--split {split}: no such file")
    if not concerns_file.is_file():
        return []
    concerns = []
    for n, line in enumerate(concerns_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            c = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{concerns_file}:{n}: not JSON ({exc})") from None
        if not isinstance(c, dict) or "vep" not in c or "sig" not in c:
            raise ValueError(f"{concerns_file}:{n}: a concern needs 'vep' and 'sig'")
        concerns.append(c)
    name = concerns_file.name
    veps_file = concerns_file.with_name("veps-" + name.removeprefix("human-concerns-")) \
        if name.startswith("human-concerns-") else None
    veps = {}
    if veps_file is not None and veps_file.is_file():
        for line in veps_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                v = json.loads(line)
                veps[v.get("vep")] = v
    out = []
    for number in dict.fromkeys(c["vep"] for c in concerns):
        mine = [c for c in concerns if c["vep"] == number]
        sig = mine[0]["sig"]
        case_id = f"concerns/{sig}/{number}"
        vep = veps.get(number)
        if vep is not None:
            version = _dev_version(corpus, vep)
            missing = f"no historic version at first commit {vep.get('first_commit')}"
            target = vep["path"]
        else:
            version = _first_version(corpus, sig, number)
            missing = f"no historic version of VEP {number} of {sig}"
            target = f"veps/{sig}/{number}-*"
        if version is None:
            out.append(LlmCase(case_id, None, expected={"concerns": mine}, target=target, skip=missing))
            continue
        doc = parse(corpus.history_bytes(version), version.file, version.path_at_commit)
        out.append(LlmCase(case_id, doc, version.date, {"concerns": mine}, version.file))
    return out


def load_gap_specs(path: Path | None = None) -> tuple[list[str], list[dict]]:
    """``evals/cases/gaps.yaml``: (targets, specs with mutator, args, stem, expect)."""
    import yaml

    data = yaml.safe_load((path or CASES_DIR / "gaps.yaml").read_text(encoding="utf-8"))
    specs = []
    for entry in data.get("gaps", []):
        if entry["mutator"] not in MUTATORS:
            raise ValueError(f"gaps.yaml: unknown mutator {entry['mutator']!r}")
        if not (entry.get("expect") or {}).get("category"):
            raise ValueError(f"gaps.yaml: {entry['mutator']}: expect.category is required")
        stem = entry.get("id") or entry["mutator"]
        specs.append({"mutator": entry["mutator"], "args": dict(entry.get("args") or {}), "stem": stem,
                      "expect": entry["expect"], "targets": list(entry.get("targets") or [])})
    return list(data.get("targets") or []), specs


def gap_cases(corpus: Corpus, targets: list[str] | None = None) -> list[LlmCase]:
    """One case per gap spec and target VEP (legacy targets get a minimal front matter
    first, as in the mutation set)."""
    default_targets, specs = load_gap_specs()
    if targets == ["all"]:
        targets = corpus.vep_paths()
    targets = targets or default_targets
    env = mutation_env(corpus)
    out = []
    for spec in specs:
        for repo_path in spec["targets"] or targets:
            case_id = f"gaps/{spec['stem']}/{_vep_label(repo_path)}"
            expect = dict(spec["expect"])
            try:
                text, _ = original_text(corpus, repo_path)
                m: Mutation = MUTATORS[spec["mutator"]](text, repo_path, env, **spec["args"])
            except Skip as exc:
                out.append(LlmCase(case_id, None, expected=expect, target=repo_path, skip=str(exc)))
                continue
            except OSError as exc:
                out.append(LlmCase(case_id, None, expected=expect, target=repo_path, skip=f"cannot read: {exc}"))
                continue
            expect.update(section=m.section, planted=m.planted, sig=m.sig, note=m.note)
            out.append(LlmCase(case_id, parse(m.text, m.repo_path, m.repo_path), corpus.today, expect, repo_path))
    return out


# -- matching ----------------------------------------------------------------------------------

def canonical_section(template: Template, doc: VepDocument | None, heading: str | None) -> str | None:
    """The template section a heading belongs to: itself when it is a required section (or
    an alias), else the required section it sits under in ``doc``; ``None`` when unknown."""
    if not heading:
        return None
    req = template.lookup(heading)
    if req is not None:
        return req.name
    if doc is not None:
        key = normalize_heading(heading)
        for s in doc.sections:
            if s.key == key:
                enclosing = [p for p in doc.sections if p.level == 2 and p.line <= s.line <= p.end_line]
                if enclosing:
                    req = template.lookup(enclosing[-1].title)
                    return req.name if req is not None else normalize_heading(enclosing[-1].title)
    return normalize_heading(heading)


def _squash(text: str) -> str:
    return " ".join(str(text).split()).lower()


def concern_sections(template: Template, doc: VepDocument, concern: dict) -> set[str] | None:
    """The canonical sections a human concern is about (see the module docstring);
    ``None`` when it may be about any section."""
    home = CATEGORY_SECTIONS.get(concern.get("category"), None)
    if home is None:
        return None
    out = set(home)
    quote = _squash(concern.get("quote", ""))
    if len(quote) >= 20:
        body = _squash(doc.text)
        if quote in body:
            for i, line in enumerate(doc.lines, 1):
                if quote[:40] in _squash(line):
                    s = doc.section_at(i)
                    name = canonical_section(template, doc, s.title) if s else None
                    if name:
                        out.add(name)
                    break
    return out


def _mentions_sig(f: Finding, sig: str | None) -> bool:
    if not sig:
        return True
    hay = _squash(" ".join(filter(None, [f.message, f.quote, f.fix, json.dumps(f.extra, default=str)])))
    names = {_squash(sig)}
    names |= {n.removeprefix("sig-") for n in names}
    for part in re.split(r"[/(),]", sig):  # "SSP/templates operator (HCO, CDI)"
        part = _squash(part)
        if len(part) >= 3:
            names.add(part)
    return any(n and n in hay for n in names)


def concern_match_terms(f: Finding, concern: dict, template: Template, doc: VepDocument,
                        threshold: int = THRESHOLD, own_words: int = OWN_WORDS) -> list[str] | None:
    """The deterministic matcher (:mod:`evals.matching`): the salient terms ``f`` shares with
    ``concern`` when it matches (same section or section family, the same subject: at least
    ``threshold`` shared terms, ``own_words`` of them from the finding's concern text or fix,
    and for ``cross-sig`` the other SIG named), else ``None``."""
    if concern.get("category") == "cross-sig" and not _mentions_sig(f, concern.get("cross_sig")):
        return None
    sections = concern_sections(template, doc, concern)
    if sections is not None and canonical_section(template, doc, f.section) not in sections:
        return None
    return subject_match(f.message, f.quote, f.fix, concern, threshold, own_words)


def finding_matches_concern(f: Finding, concern: dict, template: Template, doc: VepDocument,
                            threshold: int = THRESHOLD) -> bool:
    """Whether ``f`` raises ``concern`` by the deterministic matcher (:func:`concern_match_terms`)."""
    return concern_match_terms(f, concern, template, doc, threshold) is not None


def finding_matches_gap(f: Finding, expect: dict, template: Template, doc: VepDocument) -> bool:
    """The finding raises the expected category about the planted part (its section, or a
    quote overlapping the planted text), naming the other SIG for cross-sig gaps."""
    categories = expect["category"] if isinstance(expect["category"], list) else [expect["category"]]
    if f.category not in categories:
        return False
    if "cross-sig" in categories and f.category == "cross-sig" and not _mentions_sig(f, expect.get("sig")):
        return False
    planted = _squash(expect.get("planted") or "")
    quote = _squash(f.quote or "")
    if planted and quote and (quote in planted or planted in quote):
        return True
    want = canonical_section(template, doc, expect.get("section"))
    return want is None or canonical_section(template, doc, f.section) == want


# -- running -------------------------------------------------------------------------------------

def _review(case: LlmCase, corpus: Corpus, settings: LlmSettings, record: bool):
    from agent.review import LlmOptions, review_documents

    ctx = corpus.context(today=case.today)
    if record:
        options = LlmOptions(enabled=True, model=settings.model, base_url=settings.base_url,
                             api_key=os.environ.get("ANTHROPIC_API_KEY") or None)
    else:
        # replay: any key and host will do (neither is matched); a cassette miss must fail at
        # once instead of being retried
        options = LlmOptions(enabled=True, model=settings.model, base_url="https://replay.invalid",
                             api_key="sk-replay-no-network", max_retries=0)
    return review_documents([(case.doc, ctx)], options)


#: Usage figures that add up over cases (the reviewer's ``Report.usage`` has more).
USAGE_KEYS = ("calls", "attempts", "input_tokens", "output_tokens", "cache_creation_input_tokens",
              "cache_read_input_tokens", "estimated_cost_usd")


def _usage_add(total: dict, usage: dict) -> None:
    for k in USAGE_KEYS:
        v = (usage or {}).get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total[k] = round(total.get(k, 0) + v, 6)


def _fail_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def run_llm_set(name: str, cases: list[LlmCase], corpus: Corpus, settings: LlmSettings, *,
                selected: list[str] | None = None, progress: Progress = lambda _: None) -> SetResult:
    """Replay (or record) every case of an LLM set and score it.

    For each case: the requests its review would send are captured in process and hashed
    into the case's key (:mod:`evals.requestkey`); a cassette recorded under another key is
    **stale** (the detail names what changed) and not replayed; a case without a cassette is
    **not recorded**; otherwise the cassette is replayed (``--record``: recorded first when
    stale or missing, replayed when up to date) and, for ``concerns``, the judge's call is
    replayed (or recorded) in the same cassette. A case whose review or judge call fails is an
    **error** (the run fails, :func:`evals.run.run_eval`).

    Returns:
        a :class:`SetResult`; ``metrics`` has ``per_category`` (recall, and precision with both
        matchers for ``concerns``), ``cases_scored``, ``model``, ``prompt_hash``,
        ``synthetic``, ``model_score`` (``False`` for synthetic cassettes) and, for
        ``concerns``, ``baselines`` (shotgun and none on the same cases).
    """
    from evals import requestkey

    started = time.perf_counter()
    result = SetResult(name)
    phash = replay.prompt_hash()
    template = mutation_env(corpus).template
    result.metrics = {"model": settings.model, "prompt_hash": phash, "cassettes": str(settings.cassettes),
                      "synthetic": settings.synthetic, "model_score": not settings.synthetic}
    if settings.synthetic:
        result.notes.append(SYNTHETIC_LABEL)
    if name == "concerns":
        result.notes.append(CONCERNS_CAVEAT)
        result.metrics["dev_split"] = settings.dev_split
        result.notes.append(DEV_SPLIT_NOTE if settings.dev_split else
                            "Split: a concerns file other than the development split (--split).")
    try:
        import agent.review  # noqa: F401
        reviewer_missing = None
    except ImportError as exc:
        reviewer_missing = f"the LLM reviewer (agent.review) cannot be imported: {exc}"
        result.notes.append(reviewer_missing)
    batch_status: dict[str, str | None] = {}
    if settings.record and settings.batch and not reviewer_missing:
        from dataclasses import replace

        from evals.batch import record_batch

        runnable = [c for c in cases if matches(c.id, selected) and not c.skip]
        batch_status = record_batch(runnable, corpus, settings, phash, log=result.notes.append)
        # the batch wrote the reviews' cassettes: replay them, recording only what they lack (the judge)
        settings = replace(settings, record=False, append=True)
    usage: dict = {}
    for case in cases:
        if not matches(case.id, selected):
            continue
        cr = CaseResult(case.id, name, SKIPPED, case.target, "", _public_expect(case.expected))
        result.cases.append(cr)
        progress(case.id)
        if case.skip:
            cr.detail = case.skip
            continue
        if reviewer_missing:
            cr.detail = reviewer_missing
            continue
        if batch_status.get(case.id):
            cr.status, cr.detail = ERROR, f"not recorded by the message batch: {batch_status[case.id]}"[:300]
            continue
        path = replay.cassette_path(settings.cassettes, settings.model, case.id)
        cr.extra["cassette"] = str(path)
        meta = replay.read_metadata(path) if path.is_file() else {}
        if path.is_file() and replay.is_synthetic(path, meta) and not settings.synthetic:
            cr.detail = "synthetic cassette in the model's cassette folder: ignored (not a model score)"
            continue
        synthetic = settings.synthetic or (path.is_file() and replay.is_synthetic(path, meta))
        comps: dict = {}
        key = None
        if not settings.record and not path.is_file():
            cr.status, cr.detail = NOT_RECORDED, "no cassette for this case and model; record it with --record"
            continue
        if not (synthetic and path.is_file() and not meta.get("request_key") and not settings.record):
            try:
                comps = requestkey.components(requestkey.capture(case, corpus, settings.model), settings.model)
                key = requestkey.key_of(comps)
            except Exception as exc:  # noqa: BLE001 - reported per case
                cr.status, cr.detail = ERROR, f"cannot compute the case's request key: {_fail_line(exc)}"[:300]
                continue
            cr.extra["request_key"] = key
        up_to_date = path.is_file() and (key is None or meta.get("request_key") == key)
        record = settings.record and not up_to_date
        if not record and not path.is_file():
            cr.status, cr.detail = NOT_RECORDED, "no cassette for this case and model; record it with --record"
            continue
        if not record and not up_to_date:
            what = requestkey.changed(meta.get("components"), comps) if meta.get("components") else []
            cr.status = STALE
            cr.detail = ("changed since recording: " + ", ".join(what[:6]) + (" …" if len(what) > 6 else "")
                         if what else "recorded without a request key") + "; re-record with --record"
            cr.extra["changed"] = what
            continue
        if settings.record and up_to_date:
            cr.extra["recorded"] = "up to date: replayed, not recorded again"
        metadata = None
        if record:
            metadata = {"model": settings.model, "request_key": key, "components": comps, "prompt_hash": phash,
                        "prompt_files": replay.prompt_files(), "case": case.id, "target": case.target,
                        "synthetic": settings.synthetic, "endpoint": settings.base_url or "https://api.anthropic.com"}
        judge_usage: dict = {}
        verdicts = None
        try:
            with replay.cassette(path, record=record, metadata=metadata, synthetic=synthetic,
                                 append=settings.append and name == "concerns") as cass:
                report = _review(case, corpus, settings, record)
                status = report.llm_status or ""
                llm = [f for f in report.findings if f.origin == "llm"]
                # recorded from the fake server (--record --base-url): SYNTHETIC, never a model's
                if any(f.message.startswith(FAKE_SERVER_MARK) for f in llm):
                    synthetic = cr.extra["synthetic"] = True
                    if metadata is not None:
                        metadata["synthetic"] = True  # written with the cassette: replays say so too
                if status.startswith("ran") and name == "concerns" and (settings.judge or (settings.judge is None and not synthetic)):
                    verdicts, judge_usage = _judge(case, llm, settings, record or settings.append)
                if record:
                    cass.get_metadata("usage", dict(report.usage or {}))
        except Exception as exc:  # noqa: BLE001 - one broken case must not stop the run
            cr.status, cr.detail = ERROR, _fail_line(exc)
            if isinstance(exc, ImportError) and exc.name == "vcr":
                cr.detail = "vcrpy is not installed, so the cassette cannot be replayed: pip install vcrpy"
            elif not record and "judge" not in cr.detail:
                cr.detail = (cr.detail + "; the cassette does not answer every request: re-record it")[:300]
            continue
        if not status.startswith("ran"):
            cr.status = ERROR
            cr.detail = f"an LLM call failed: the review did not complete ({status})"[:300]
            if not record:
                cr.detail += "; the cassette does not answer every request: re-record it"
            continue
        _usage_add(usage, report.usage or {})
        _usage_add(usage, judge_usage)
        cr.findings = [compact(f) for f in llm]
        cr.extra["llm_status"] = report.llm_status
        cr.extra["usage"] = report.usage
        if name == "concerns":
            _score_concerns(cr, case, llm, template, verdicts)
        else:
            _score_gap(cr, case, llm, template)
    if not settings.synthetic and any(c.extra.get("synthetic") for c in result.cases):
        result.metrics.update(synthetic=True, model_score=False)
        result.notes.insert(0, "SYNTHETIC answers (the fake server's, agent/llm/fake_server.py), not a model's score")
    result.usage = usage
    counts = result.counts()
    if counts[STALE]:
        result.notes.append(f"{counts[STALE]} case(s) are stale (what shapes their requests changed since they were "
                            "recorded; each case says what): re-record them with --record")
    _llm_metrics(result, name)
    if name == "concerns":
        _baselines_beside(result, cases, template)
    result.seconds = time.perf_counter() - started
    return result


def _judge(case: LlmCase, llm: list[Finding], settings: LlmSettings, live: bool):
    """The judge's verdicts for one case (replayed, or recorded when ``live``)."""
    from evals.judge import judge

    if live:
        key = os.environ.get("ANTHROPIC_API_KEY") or "no-key-needed"
        return judge(settings.model, case.doc.info.repo_path, case.expected["concerns"], llm, api_key=key,
                     base_url=settings.base_url, max_retries=2)
    return judge(settings.model, case.doc.info.repo_path, case.expected["concerns"], llm,
                 api_key="sk-replay-no-network", base_url="https://replay.invalid", max_retries=0)


def _public_expect(expected: dict) -> dict:
    if "concerns" in expected:
        return {"concerns": [{k: c.get(k) for k in ("category", "cross_sig", "summary", "quote", "url") if c.get(k)}
                             for c in expected["concerns"]]}
    return {k: v for k, v in expected.items() if v is not None}


def score_findings(concerns: list[dict], llm: list[Finding], template: Template, doc: VepDocument,
                   verdicts: dict | None = None, threshold: int = THRESHOLD) -> dict:
    """Score one VEP's findings against its human concerns with both matchers.

    Args:
        concerns: the VEP's human concerns.
        llm: the reviewer's (or a baseline's) findings.
        verdicts: the judge's ``{(concern index, finding index): same}``; ``None``: no judge.
        threshold: shared salient terms the deterministic matcher needs.

    Returns:
        ``{"concerns": [{category, summary, matched, terms, judge_matched, by}],
        "findings": [{category, matched, judge_matched}]}`` (``judge_matched`` is ``None``
        without a judge).
    """
    per_concern = []
    det: set[int] = set()
    jud: set[int] = set()
    for ci, c in enumerate(concerns):
        hits = []
        for fi, f in enumerate(llm):
            terms = concern_match_terms(f, c, template, doc, threshold)
            if terms is not None:
                hits.append((fi, terms))
        det.update(fi for fi, _ in hits)
        jhits = [fi for fi in range(len(llm)) if verdicts.get((ci, fi))] if verdicts is not None else None
        if jhits:
            jud.update(jhits)
        per_concern.append({"category": c.get("category"), "summary": c.get("summary"), "matched": bool(hits),
                            "terms": hits[0][1] if hits else [], "by": [llm[fi].message for fi, _ in hits[:2]],
                            "judge_matched": None if jhits is None else bool(jhits)})
    findings = [{"category": f.category or "?", "matched": i in det,
                 "judge_matched": None if verdicts is None else i in jud} for i, f in enumerate(llm)]
    return {"concerns": per_concern, "findings": findings}


def _score_concerns(cr: CaseResult, case: LlmCase, llm: list[Finding], template: Template,
                    verdicts: dict | None = None) -> None:
    scored = score_findings(case.expected["concerns"], llm, template, case.doc, verdicts)
    cr.extra["concerns"] = scored["concerns"]
    cr.extra["finding_matches"] = scored["findings"]
    n = sum(1 for p in scored["concerns"] if p["matched"])
    nf = sum(1 for f in scored["findings"] if f["matched"])
    cr.status = PASS if n else FAIL
    cr.detail = f"{n}/{len(scored['concerns'])} human concerns matched; {nf}/{len(llm)} LLM findings matched"
    if verdicts is not None:
        jn = sum(1 for p in scored["concerns"] if p["judge_matched"])
        jf = sum(1 for f in scored["findings"] if f["judge_matched"])
        cr.detail += f" (judge: {jn}/{len(scored['concerns'])} concerns, {jf}/{len(llm)} findings)"


def _score_gap(cr: CaseResult, case: LlmCase, llm: list[Finding], template: Template) -> None:
    hits = [f for f in llm if finding_matches_gap(f, case.expected, template, case.doc)]
    cr.status = PASS if hits else FAIL
    cats = sorted({f.category or "?" for f in llm})
    cr.detail = (f"{case.expected.get('note')}: " +
                 (f"raised as {hits[0].category} ({hits[0].message})" if hits else
                  f"not raised (LLM categories: {', '.join(cats) or 'no findings'})"))


def concern_metrics(scored_cases: list[CaseResult]) -> dict:
    """Recall and precision, overall and per category, with the deterministic matcher and
    (when every scored case had one) the judge, from cases scored by :func:`score_findings`.

    Recall per category: matched concerns of the category / its concerns. Precision per
    category: findings *of that category* that match some concern / findings of that category.
    """
    per: dict[str, dict] = {}

    def row(cat):
        return per.setdefault(cat, {"concerns": 0, "matched": 0, "judge_matched": 0, "findings": 0,
                                    "findings_matched": 0, "findings_judge_matched": 0})

    judged = bool(scored_cases) and all(
        all(p.get("judge_matched") is not None for p in c.extra.get("concerns", [])) or not c.findings
        for c in scored_cases) and any(c.findings for c in scored_cases)
    for c in scored_cases:
        for p in c.extra.get("concerns", []):
            d = row(p["category"])
            d["concerns"] += 1
            d["matched"] += int(p["matched"])
            d["judge_matched"] += int(bool(p.get("judge_matched")))
        for f in c.extra.get("finding_matches", []):
            d = row(f["category"])
            d["findings"] += 1
            d["findings_matched"] += int(f["matched"])
            d["findings_judge_matched"] += int(bool(f.get("judge_matched")))
    for d in per.values():
        d["recall"] = ratio(d["matched"], d["concerns"])
        d["precision"] = ratio(d["findings_matched"], d["findings"])
        d["judge_recall"] = ratio(d["judge_matched"], d["concerns"]) if judged else None
        d["judge_precision"] = ratio(d["findings_judge_matched"], d["findings"]) if judged else None
    tot = {k: sum(d[k] for d in per.values()) for k in ("concerns", "matched", "judge_matched", "findings",
                                                         "findings_matched", "findings_judge_matched")}
    return {"cases_scored": len(scored_cases), "concerns_scored": tot["concerns"],
            "recall": ratio(tot["matched"], tot["concerns"]), "precision": ratio(tot["findings_matched"], tot["findings"]),
            "judge": judged,
            "judge_recall": ratio(tot["judge_matched"], tot["concerns"]) if judged else None,
            "judge_precision": ratio(tot["findings_judge_matched"], tot["findings"]) if judged else None,
            "llm_findings": tot["findings"], "matcher_threshold": THRESHOLD, "matcher_own_words": OWN_WORDS,
            "per_category": dict(sorted(per.items()))}


def _llm_metrics(result: SetResult, name: str) -> None:
    scored = [c for c in result.cases if c.status in (PASS, FAIL)]
    if name == "concerns":
        result.metrics.update(concern_metrics(scored))
        return
    per: dict[str, dict] = {}
    for c in scored:
        cats = c.expected.get("category")
        key = ",".join(cats) if isinstance(cats, list) else str(cats)
        d = per.setdefault(key, {"planted": 0, "raised": 0})
        d["planted"] += 1
        d["raised"] += int(c.status == PASS)
    for d in per.values():
        d["recall"] = ratio(d["raised"], d["planted"])
    result.metrics.update(cases_scored=len(scored),
                          recall=ratio(sum(d["raised"] for d in per.values()), sum(d["planted"] for d in per.values())),
                          per_category=dict(sorted(per.items())))


# -- baselines -------------------------------------------------------------------------------------

def baseline_findings(baseline: str, case: LlmCase, template: Template, file_data: dict | None = None) -> list[Finding]:
    """The findings of a baseline for one case (:mod:`evals.baselines`)."""
    from evals import baselines

    if baseline == "none":
        return []
    if baseline in ("shotgun", "parrot"):
        return baselines.shotgun_findings(case.doc, template, parrot=baseline == "parrot")
    entries = (file_data or {}).get(case.id) or (file_data or {}).get(case.id.rsplit("/", 1)[-1]) or []
    return baselines.file_findings(entries, case.doc, baseline)


def run_baseline(cases: list[LlmCase], corpus: Corpus, baseline: str, *, selected: list[str] | None = None,
                 dev_split: bool = True, progress: Progress = lambda _: None) -> SetResult:
    """Score a baseline reviewer on the ``concerns`` cases, offline (no key, no cassette).

    Args:
        baseline: ``shotgun``, ``parrot``, ``none`` or the path of a findings file (:mod:`evals.baselines`).

    Returns:
        a ``concerns`` :class:`SetResult` whose ``metrics["baseline"]`` names the baseline
        (``model_score`` false; ``synthetic`` true for a synthetic findings file).

    Raises:
        ValueError, OSError: a findings file that cannot be read or is not one.
    """
    from evals import baselines

    started = time.perf_counter()
    template = mutation_env(corpus).template
    file_data, synthetic, label = None, False, baseline
    if baseline not in baselines.BUILTIN:
        path = Path(baseline)
        file_data, synthetic = baselines.load_findings_file(path)
        label = path.stem
    result = SetResult("concerns")
    result.metrics = {"baseline": label, "model": None, "synthetic": synthetic, "model_score": False,
                      "dev_split": dev_split}
    result.notes.append(f"baseline {label}: offline, no model" + (" — SYNTHETIC findings file, not a model score"
                                                                  if synthetic else ""))
    result.notes.append(CONCERNS_CAVEAT)
    result.notes.append(DEV_SPLIT_NOTE if dev_split else "Split: a concerns file other than the development split (--split).")
    for case in cases:
        if not matches(case.id, selected):
            continue
        cr = CaseResult(case.id, "concerns", SKIPPED, case.target, "", _public_expect(case.expected))
        result.cases.append(cr)
        progress(case.id)
        if case.skip:
            cr.detail = case.skip
            continue
        llm = baseline_findings(baseline, case, template, file_data)
        cr.findings = [compact(f) for f in llm]
        _score_concerns(cr, case, llm, template)
    _llm_metrics(result, "concerns")
    result.seconds = time.perf_counter() - started
    return result


def _baselines_beside(result: SetResult, cases: list[LlmCase], template: Template) -> None:
    """The built-in baselines on the cases the model was scored on (same figures)."""
    scored = {c.id for c in result.cases if c.status in (PASS, FAIL)}
    out = {}
    from evals.baselines import BUILTIN

    for baseline in BUILTIN:
        crs = []
        for case in cases:
            if case.id in scored:
                cr = CaseResult(case.id, "concerns", SKIPPED)
                llm = baseline_findings(baseline, case, template)
                cr.findings = [compact(f) for f in llm]
                _score_concerns(cr, case, llm, template)
                crs.append(cr)
        m = concern_metrics(crs)
        out[baseline] = {k: m[k] for k in ("cases_scored", "recall", "precision", "llm_findings")}
    result.metrics["baselines"] = out
