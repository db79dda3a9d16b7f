"""The LLM case sets: ``concerns`` (human reviewers' concerns on historic VEP PRs) and
``gaps`` (design gaps planted into real VEPs).

Each case reviews one document with :func:`agent.review.review_documents` inside its
cassette (:mod:`evals.replay`): replayed by default, recorded with ``--record``. A case
without a cassette for the current model and prompts is *not recorded* (or *stale* when
only older prompts have one) and is left out of the figures.

Matching (both sets) compares an LLM finding with what is expected by

- **category**: the finding's ``category`` equals the expected one (the human-concern
  taxonomy of ../shared/evals/README.md, the same the reviewer uses); for ``cross-sig``
  the other SIG (or project) must be named in the finding's message, quote or fix;
- **section**: the finding's section is one the concern is about, compared by the
  template's canonical section names (aliases and subsections folded in). A concern's
  sections are the section holding its quote, when the quote is found verbatim in the
  reviewed version, plus the category's home sections (:data:`CATEGORY_SECTIONS`);
  categories without a home section (``other``, ``template``, ``security``,
  ``feature-gate``, ``cross-sig``) match in any section. A planted gap's section is the
  section it was planted in (or the finding quotes the planted text).
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
from agent.template import Template

from evals import replay
from evals.corpus import Corpus, HistoricVersion
from evals.deterministic import CASES_DIR, _vep_label, matches, mutation_env, original_text
from evals.mutators import MUTATORS, Mutation, Skip
from evals.results import ERROR, FAIL, NOT_RECORDED, PASS, SKIPPED, STALE, CaseResult, SetResult, compact, ratio

Progress = Callable[[str], None]

#: Printed next to every figure of the ``concerns`` set (../shared/evals/README.md).
CONCERNS_CAVEAT = (
    "Caveat: the human concerns are a partial record (a VEP without a concern may still have had some), "
    "and they were raised on the PR's draft while the merged text may already answer them; recall says "
    "whether the reviewer raises the same kind of concern about the same part of the design, precision "
    "is a lower bound (an unmatched LLM finding may be right). Development split only (even VEP numbers)."
)
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
    """

    model: str
    cassettes: Path = replay.CASSETTES_DIR
    record: bool = False
    batch: bool = False
    base_url: str | None = None

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


def concern_cases(corpus: Corpus) -> list[LlmCase]:
    """One case per development-split VEP with at least one human concern, reviewing the
    version its introducing PR merged (``first_commit`` in ``veps-dev.jsonl``), at the path
    it had then, on that commit's date."""
    concerns_file = corpus.evals_dir / "human-concerns-dev.jsonl"
    veps_file = corpus.evals_dir / "veps-dev.jsonl"
    if not concerns_file.is_file() or not veps_file.is_file():
        return []
    concerns = [json.loads(line) for line in concerns_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for line in veps_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        vep = json.loads(line)
        mine = [c for c in concerns if c.get("vep") == vep.get("vep")]
        if not mine:
            continue
        case_id = f"concerns/{vep['sig']}/{vep['vep']}"
        version = _dev_version(corpus, vep)
        if version is None:
            out.append(LlmCase(case_id, None, expected={"concerns": mine}, target=vep["path"],
                               skip=f"no historic version at first commit {vep.get('first_commit')}"))
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


def finding_matches_concern(f: Finding, concern: dict, template: Template, doc: VepDocument) -> bool:
    """Category (and SIG for cross-sig) and section agree (see the module docstring)."""
    if f.category != concern.get("category"):
        return False
    if concern.get("category") == "cross-sig" and not _mentions_sig(f, concern.get("cross_sig")):
        return False
    sections = concern_sections(template, doc, concern)
    return sections is None or canonical_section(template, doc, f.section) in sections


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

def _review(case: LlmCase, corpus: Corpus, settings: LlmSettings):
    from agent.review import LlmOptions, review_documents

    ctx = corpus.context(today=case.today)
    if settings.record:
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


def run_llm_set(name: str, cases: list[LlmCase], corpus: Corpus, settings: LlmSettings, *,
                selected: list[str] | None = None, progress: Progress = lambda _: None) -> SetResult:
    """Replay (or record) every case of an LLM set and score it.

    Returns:
        a :class:`SetResult`; ``metrics`` has ``per_category`` (recall, and precision for
        ``concerns``), ``cases_scored``, ``model``, ``prompt_hash``, ``synthetic`` and
        ``model_score`` (``False`` for synthetic cassettes).
    """
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
    if settings.record and not os.environ.get("ANTHROPIC_API_KEY") and not settings.base_url:
        result.notes.append("--record needs ANTHROPIC_API_KEY (or --base-url): nothing was recorded, cassettes replayed")
        settings = LlmSettings(settings.model, settings.cassettes, False, settings.batch, settings.base_url)
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
        settings = replace(settings, record=False)  # the batch wrote the cassettes: replay them
    usage: dict = {}
    stale_cases = 0
    for case in cases:
        if not matches(case.id, selected):
            continue
        cr = CaseResult(case.id, name, SKIPPED, case.target, "", _public_expect(case.expected))
        result.cases.append(cr)
        progress(case.id)
        if case.skip:
            cr.detail = case.skip
            continue
        if batch_status.get(case.id):
            cr.status, cr.detail = ERROR, f"not recorded by the message batch: {batch_status[case.id]}"[:300]
            continue
        path = replay.cassette_path(settings.cassettes, settings.model, phash, case.id)
        cr.extra["cassette"] = str(path)
        if not settings.record and not path.is_file():
            older = replay.stale_versions(settings.cassettes, settings.model, phash, case.id)
            if older:
                cr.status, cr.detail = STALE, f"cassette recorded with older prompts ({', '.join(older)}); re-record"
                stale_cases += 1
            else:
                cr.status, cr.detail = NOT_RECORDED, "no cassette for this model and prompt version"
            continue
        if reviewer_missing:
            cr.detail = reviewer_missing
            continue
        metadata = None
        synthetic = settings.synthetic
        if settings.record:
            metadata = {"model": settings.model, "prompt_hash": phash, "prompt_files": replay.prompt_files(),
                        "case": case.id, "target": case.target, "synthetic": settings.synthetic,
                        "endpoint": settings.base_url or "https://api.anthropic.com"}
        else:
            meta = replay.read_metadata(path)
            if replay.is_synthetic(path, meta) and not settings.synthetic:
                cr.detail = "synthetic cassette in the model's cassette folder: ignored (not a model score)"
                continue
            synthetic = synthetic or replay.is_synthetic(path, meta)
        try:
            with replay.cassette(path, record=settings.record, metadata=metadata, synthetic=synthetic) as cass:
                report = _review(case, corpus, settings)
                if settings.record:
                    cass.get_metadata("usage", dict(report.usage or {}))
        except Exception as exc:  # noqa: BLE001 - one broken case must not stop the run
            cr.status, cr.detail = ERROR, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
            continue
        status = report.llm_status or ""
        if not status.startswith("ran"):
            cr.status = ERROR
            cr.detail = f"the LLM review did not complete ({status})"[:300]
            if not settings.record:
                cr.detail += "; the cassette does not answer every request: re-record it"
            continue
        llm = [f for f in report.findings if f.origin == "llm"]
        _usage_add(usage, report.usage or {})
        cr.findings = [compact(f) for f in llm]
        cr.extra["llm_status"] = report.llm_status
        cr.extra["usage"] = report.usage
        if name == "concerns":
            _score_concerns(cr, case, llm, template)
        else:
            _score_gap(cr, case, llm, template)
    result.usage = usage
    if stale_cases:
        result.notes.append(f"{stale_cases} case(s) have cassettes only for older prompts (the prompts changed since "
                            f"they were recorded; current prompt hash {phash}): re-record with --record")
    _llm_metrics(result, name)
    result.seconds = time.perf_counter() - started
    return result


def _public_expect(expected: dict) -> dict:
    if "concerns" in expected:
        return {"concerns": [{k: c.get(k) for k in ("category", "cross_sig", "summary", "quote", "url") if c.get(k)}
                             for c in expected["concerns"]]}
    return {k: v for k, v in expected.items() if v is not None}


def _score_concerns(cr: CaseResult, case: LlmCase, llm: list[Finding], template: Template) -> None:
    matched_findings: set[int] = set()
    per_concern = []
    for c in case.expected["concerns"]:
        hits = [i for i, f in enumerate(llm) if finding_matches_concern(f, c, template, case.doc)]
        matched_findings.update(hits)
        per_concern.append({"category": c.get("category"), "matched": bool(hits), "summary": c.get("summary"),
                            "by": [llm[i].message for i in hits[:2]]})
    cr.extra["concerns"] = per_concern
    cr.extra["matched_findings"] = len(matched_findings)
    n = sum(1 for p in per_concern if p["matched"])
    cr.status = PASS if n else FAIL
    cr.detail = f"{n}/{len(per_concern)} human concerns matched; {len(matched_findings)}/{len(llm)} LLM findings matched"


def _score_gap(cr: CaseResult, case: LlmCase, llm: list[Finding], template: Template) -> None:
    hits = [f for f in llm if finding_matches_gap(f, case.expected, template, case.doc)]
    cr.status = PASS if hits else FAIL
    cats = sorted({f.category or "?" for f in llm})
    cr.detail = (f"{case.expected.get('note')}: " +
                 (f"raised as {hits[0].category} ({hits[0].message})" if hits else
                  f"not raised (LLM categories: {', '.join(cats) or 'no findings'})"))


def _llm_metrics(result: SetResult, name: str) -> None:
    scored = [c for c in result.cases if c.status in (PASS, FAIL)]
    per: dict[str, dict] = {}
    if name == "concerns":
        total_findings = sum(len(c.findings) for c in scored)
        matched_findings = sum(c.extra.get("matched_findings", 0) for c in scored)
        for c in scored:
            for p in c.extra.get("concerns", []):
                d = per.setdefault(p["category"], {"concerns": 0, "matched": 0})
                d["concerns"] += 1
                d["matched"] += int(p["matched"])
        for d in per.values():
            d["recall"] = ratio(d["matched"], d["concerns"])
        llm_by_cat: dict[str, int] = {}
        for c in scored:
            for f in c.findings:
                llm_by_cat[f.get("category") or "?"] = llm_by_cat.get(f.get("category") or "?", 0) + 1
        result.metrics.update(
            cases_scored=len(scored),
            recall=ratio(sum(d["matched"] for d in per.values()), sum(d["concerns"] for d in per.values())),
            precision=ratio(matched_findings, total_findings), llm_findings=total_findings,
            llm_findings_by_category=dict(sorted(llm_by_cat.items())), per_category=dict(sorted(per.items())))
    else:
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
