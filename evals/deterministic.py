"""The deterministic case sets: ``mutations``, ``clean`` and ``regression``.

They call the same engine as ``vep-review check`` (:func:`agent.engine.check_document`),
with a :class:`~agent.context.CheckContext` built the way the CLI builds it for a file of
the corpus checkout (:meth:`evals.corpus.Corpus.context`), on a fixed date
(:data:`evals.corpus.DEFAULT_TODAY`) so that figures do not drift with the calendar.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.document import VepDocument, parse, repo_relative
from agent.findings import Finding, Severity
from agent.rules import all_rules
from agent.template import TEMPLATE_PATH, load_template

from evals import fmtext
from evals.corpus import PROJECT_ROOT, Corpus, project_relative
from evals.mutators import MUTATORS, Mutation, MutationEnv, Skip
from evals.results import ERROR, FAIL, PASS, SKIPPED, CaseResult, SetResult, compact, ratio

CASES_DIR = Path(__file__).resolve().parent / "cases"
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "regression.json"
EXAMPLES_DIR = PROJECT_ROOT / "examples"

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    pass


def matches(case_id: str, patterns: list[str] | None) -> bool:
    """Whether ``case_id`` is selected by ``--case`` patterns (exact, glob, or prefix up to
    a ``/``); no patterns select everything."""
    if not patterns:
        return True
    for p in patterns:
        if case_id == p or fnmatch.fnmatchcase(case_id, p) or case_id.startswith(p.rstrip("/") + "/"):
            return True
    return False


def _vep_label(repo_path: str) -> str:
    parts = repo_path.split("/")
    return parts[2] if len(parts) == 4 and parts[0] == "veps" else repo_path.replace("/", "_")


# -- mutations -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MutationSpec:
    """One entry of ``evals/cases/mutations.yaml``.

    Attributes:
        mutator: name in :data:`evals.mutators.MUTATORS`.
        args: keyword arguments of the mutator.
        stem: case-name stem (``drop_section-design``).
        rule: the rule that must fire: an ID, a rule name, or a glob over IDs (``VEP4*``)
            while the rule is not pinned yet.
        severity: the severity it must fire at.
        allow: other rules whose new findings are expected consequences, not false
            positives.
        targets: repository paths overriding the file's ``targets``.
    """

    mutator: str
    args: dict
    stem: str
    rule: str
    severity: str = "error"
    allow: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()


def _slug(value) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")


def load_mutation_specs(path: Path | None = None) -> tuple[list[str], list[MutationSpec]]:
    """Read ``evals/cases/mutations.yaml`` (or ``path``).

    Returns:
        (default targets, specs).

    Raises:
        ValueError: an unknown mutator, a spec without ``expect.rule`` or a duplicate stem.
    """
    import yaml

    data = yaml.safe_load((path or CASES_DIR / "mutations.yaml").read_text(encoding="utf-8"))
    specs: list[MutationSpec] = []
    seen: set[str] = set()
    for entry in data.get("mutations", []):
        name = entry["mutator"]
        if name not in MUTATORS:
            raise ValueError(f"mutations.yaml: unknown mutator {name!r}")
        args = dict(entry.get("args") or {})
        stem = entry.get("id") or "-".join([name, *(_slug(v) for v in args.values())])
        if stem in seen:
            raise ValueError(f"mutations.yaml: duplicate case stem {stem!r}")
        seen.add(stem)
        expect = entry.get("expect") or {}
        if not expect.get("rule"):
            raise ValueError(f"mutations.yaml: {stem}: expect.rule is required")
        specs.append(MutationSpec(name, args, stem, str(expect["rule"]), str(expect.get("severity", "error")),
                                  tuple(expect.get("allow") or ()), tuple(entry.get("targets") or ())))
    return list(data.get("targets") or []), specs


def rule_matches(finding_rule: str, finding_name: str, pattern: str) -> bool:
    """Whether a finding's rule (ID or name) is ``pattern`` (ID, name or glob over IDs)."""
    p = pattern.strip()
    return fnmatch.fnmatchcase(finding_rule, p.upper()) or finding_name == p


def _known(pattern: str) -> bool:
    return any(rule_matches(r.id, r.name, pattern) for r in all_rules())


def mutation_env(corpus: Corpus) -> MutationEnv:
    """The :class:`MutationEnv` of a corpus."""
    template_file = corpus.root / TEMPLATE_PATH
    template_doc = parse(template_file.read_bytes(), TEMPLATE_PATH, TEMPLATE_PATH) if template_file.is_file() else None
    ctx = corpus.context()
    return MutationEnv(template=load_template(str(corpus.root)), template_doc=template_doc, sigs=ctx.sigs,
                       freezes=dict(ctx.freezes), today=ctx.today)


def original_text(corpus: Corpus, repo_path: str) -> tuple[str, bool]:
    """The target's text, given a minimal front matter when it has none.

    Returns:
        (text, whether front matter was added). The creation date of an added block is the
        date of the file's first historic version, when the history knows it.
    """
    text = corpus.read_text(repo_path)
    if fmtext.has_front_matter(text):
        return text, False
    first = next((v.date.isoformat() for v in corpus.history if v.path == repo_path), "2025-01-01")
    return fmtext.minimal_front_matter(text, repo_path, creation_date=first), True


class _Checker:
    """Checks texts with a cache keyed on (text, path, base)."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.cache: dict[tuple, list[Finding]] = {}

    def __call__(self, text: str, repo_path: str, base_text: str | None, base_path: str) -> list[Finding]:
        data = text.encode("utf-8", "surrogateescape")  # mutators write raw bytes as surrogates
        key = (hashlib.sha1(data).hexdigest(), repo_path,
               None if base_text is None else hashlib.sha1(base_text.encode()).hexdigest(), base_path)
        if key not in self.cache:
            base = parse(base_text, f"base:{base_path}", base_path) if base_text is not None else None
            self.cache[key] = self.corpus.check(data, repo_path, base=base, has_base=base_text is not None)
        return self.cache[key]


def _msig(f: Finding) -> tuple:
    return (f.rule, f.severity.value, f.message)


def run_mutations(corpus: Corpus, *, targets: list[str] | None = None, specs: list[MutationSpec] | None = None,
                  cases: list[str] | None = None, progress: Progress = _noop) -> SetResult:
    """Run the mutation cases.

    Args:
        corpus: the corpus the targets are read from.
        targets: repository paths of target VEPs (default: the spec file's ``targets``;
            ``["all"]``: every VEP of the corpus).
        specs: mutation specs (default: ``evals/cases/mutations.yaml``).
        cases: ``--case`` patterns.
        progress: called with each case ID once it is done.

    Returns:
        a :class:`SetResult` whose ``metrics`` has ``recall`` (overall), ``rules`` (per
        expected rule: expected, detected, recall, missed cases) and ``false_positives``
        (per rule: count and cases); ``failed`` when recall is below 100%.
    """
    started = time.perf_counter()
    default_targets, file_specs = load_mutation_specs()
    specs = file_specs if specs is None else specs
    if targets == ["all"]:
        targets = corpus.vep_paths()
    targets = targets or default_targets
    env = mutation_env(corpus)
    check = _Checker(corpus)
    result = SetResult("mutations")
    originals: dict[str, tuple[str, bool] | str] = {}
    for spec in specs:
        for repo_path in (list(spec.targets) or targets):
            case_id = f"mutations/{spec.stem}/{_vep_label(repo_path)}"
            if not matches(case_id, cases):
                continue
            expected = {"rule": spec.rule, "severity": spec.severity}
            if repo_path not in originals:
                try:
                    originals[repo_path] = original_text(corpus, repo_path)
                except (OSError, ValueError) as exc:
                    originals[repo_path] = f"cannot read the target: {exc}"
            orig = originals[repo_path]
            if isinstance(orig, str):
                result.cases.append(CaseResult(case_id, "mutations", SKIPPED, repo_path, orig, expected))
                progress(case_id)
                continue
            text, added_fm = orig
            result.cases.append(_run_mutation(spec, text, added_fm, repo_path, case_id, env, check, expected))
            progress(case_id)
    _mutation_metrics(result)
    result.seconds = time.perf_counter() - started
    return result


def _run_mutation(spec: MutationSpec, text: str, added_fm: bool, repo_path: str, case_id: str, env: MutationEnv,
                  check: _Checker, expected: dict) -> CaseResult:
    try:
        m: Mutation = MUTATORS[spec.mutator](text, repo_path, env, **spec.args)
    except Skip as exc:
        return CaseResult(case_id, "mutations", SKIPPED, repo_path, str(exc), expected)
    except Exception as exc:  # noqa: BLE001 - a broken mutator is a harness error, reported
        return CaseResult(case_id, "mutations", ERROR, repo_path, f"mutator raised {type(exc).__name__}: {exc}", expected)
    if m.text == text and m.repo_path == repo_path and m.base_text is None:
        return CaseResult(case_id, "mutations", ERROR, repo_path, f"the mutator changed nothing ({m.note})", expected)
    try:
        mutated = check(m.text, m.repo_path, m.base_text, repo_path)
        reference = check(m.reference_text if m.reference_text is not None else text,
                          m.reference_repo_path or repo_path, m.base_text, repo_path)
    except Exception as exc:  # noqa: BLE001
        return CaseResult(case_id, "mutations", ERROR, repo_path, f"check raised {type(exc).__name__}: {exc}", expected)
    new = Counter(_msig(f) for f in mutated) - Counter(_msig(f) for f in reference)
    new_findings = [f for f in mutated if new.get(_msig(f), 0) > 0]
    hits = [f for f in new_findings if rule_matches(f.rule, f.name, spec.rule)]
    detected = [f for f in hits if f.severity.value == spec.severity]
    if m.section:  # show the finding about the planted section first
        detected.sort(key=lambda f: m.section not in f.message)
    wrong_severity = [f for f in hits if f.severity.value != spec.severity]
    new_errors = Counter(f.rule for f in mutated if f.severity is Severity.ERROR) - \
        Counter(f.rule for f in reference if f.severity is Severity.ERROR)
    fps = {rule: n for rule, n in sorted(new_errors.items())
           if not rule_matches(rule, "", spec.rule) and not any(rule_matches(rule, "", a) for a in spec.allow)}
    note = m.note + (" [legacy VEP given a minimal front matter]" if added_fm else "")
    fired = sorted({f.rule for f in new_findings})
    if detected:
        status, detail = PASS, f"{note}: {detected[0].rule} fired ({detected[0].message})"
    elif wrong_severity:
        status = FAIL
        detail = f"{note}: {wrong_severity[0].rule} fired at {wrong_severity[0].severity.value}, expected {spec.severity}"
    elif not _known(spec.rule):
        status, detail = FAIL, f"{note}: no rule {spec.rule} exists (yet); new findings: {', '.join(fired) or 'none'}"
    else:
        status, detail = FAIL, f"{note}: {spec.rule} did not fire; new findings: {', '.join(fired) or 'none'}"
    shown = detected or wrong_severity or new_findings
    return CaseResult(case_id, "mutations", status, repo_path, detail, expected,
                      findings=[compact(f) for f in shown[:5]],
                      extra={"false_positives": fps, "new_rules": fired, "mutated_path": m.repo_path,
                             "legacy_front_matter_added": added_fm})


def _mutation_metrics(result: SetResult) -> None:
    per_rule: dict[str, dict] = {}
    fps: dict[str, dict] = {}
    ran = [c for c in result.cases if c.status in (PASS, FAIL)]
    for c in ran:
        r = per_rule.setdefault(c.expected["rule"], {"expected": 0, "detected": 0, "missed": []})
        r["expected"] += 1
        if c.status == PASS:
            r["detected"] += 1
        else:
            r["missed"].append(c.id)
        for rule, n in c.extra.get("false_positives", {}).items():
            fp = fps.setdefault(rule, {"count": 0, "cases": []})
            fp["count"] += n
            fp["cases"].append(c.id)
    for r in per_rule.values():
        r["recall"] = ratio(r["detected"], r["expected"])
    detected = sum(r["detected"] for r in per_rule.values())
    result.metrics = {"recall": ratio(detected, len(ran)), "cases_run": len(ran), "detected": detected,
                      "rules": dict(sorted(per_rule.items())), "false_positives": dict(sorted(fps.items()))}
    result.failed = detected < len(ran)
    for c in result.cases:
        if c.status == ERROR:
            result.failed = True
    if result.failed:
        result.notes.append(f"mutation recall {detected}/{len(ran)} is below 100%: every missed case is listed")


# -- clean -------------------------------------------------------------------------------------

def clean_documents(corpus: Corpus, examples_dir: Path | None = None) -> list[tuple[str, str, Path]]:
    """The documents of the clean set: (case label, repository path, file).

    Every corpus VEP that has front matter, and every ``*.md`` under ``examples/`` (checked
    at its path under a ``veps/`` folder when it is in one, else at
    ``veps/<owning-sig>/<vep-number>-<file stem>/vep.md`` from its front matter).
    """
    out: list[tuple[str, str, Path]] = []
    for repo_path in corpus.vep_paths():
        path = corpus.root / repo_path
        if fmtext.has_front_matter(corpus.read_text(repo_path)):
            out.append((f"corpus/{_vep_label(repo_path)}", repo_path, path))
    examples_dir = EXAMPLES_DIR if examples_dir is None else examples_dir
    if examples_dir.is_dir():
        for path in sorted(examples_dir.rglob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            repo_path = _example_repo_path(path)
            label = path.relative_to(examples_dir).with_suffix("").as_posix()
            label = re.sub(r"^veps/", "", re.sub(r"/vep$", "", label))
            out.append((f"examples/{label}", repo_path, path))
    return out


def _example_repo_path(path: Path) -> str:
    rel = repo_relative(path)
    if rel.startswith("veps/"):
        return rel
    text = path.read_bytes().decode("utf-8", errors="replace")
    doc = parse(text, str(path), path.name)
    fm = doc.front_matter
    sig = str(fm.get("owning-sig") or "sig-compute") if fm and not fm.error else "sig-compute"
    number = str(fm.get("vep-number") or "").lstrip("#") if fm and not fm.error else ""
    if not number.isdigit():
        number = str(doc.title.number) if doc.title and doc.title.number else "9999"
    stem = re.sub(r"^\d+-", "", path.stem if path.stem != "vep" else path.parent.name)
    return f"veps/{sig}/{number}-{_slug(stem) or 'example'}/vep.md"


def run_clean(corpus: Corpus, *, cases: list[str] | None = None, examples_dir: Path | None = None,
              progress: Progress = _noop) -> SetResult:
    """Check the clean documents (:func:`clean_documents`); every error-level finding is a
    false positive.

    Returns:
        a :class:`SetResult` whose ``metrics`` has ``documents``, ``with_errors`` and
        ``false_positives`` (per rule: count and cases); ``failed`` when any error exists.
    """
    started = time.perf_counter()
    result = SetResult("clean")
    fps: dict[str, dict] = {}
    for label, repo_path, path in clean_documents(corpus, examples_dir):
        case_id = f"clean/{label}"
        if not matches(case_id, cases):
            continue
        findings = corpus.check(path.read_bytes(), repo_path, display=project_relative(path))
        errors = [f for f in findings if f.severity is Severity.ERROR]
        for f in errors:
            fp = fps.setdefault(f.rule, {"count": 0, "cases": []})
            fp["count"] += 1
            if case_id not in fp["cases"]:
                fp["cases"].append(case_id)
        if errors:
            detail = "; ".join(f"{f.rule} line {f.line}: {f.message}" for f in errors[:3])
            status = FAIL
        else:
            counts = Counter(f.severity.value for f in findings)
            detail = f"no errors ({counts.get('warning', 0)} warnings, {counts.get('info', 0)} info)"
            status = PASS
        result.cases.append(CaseResult(case_id, "clean", status, repo_path, detail,
                                       {"errors": 0}, [compact(f) for f in findings]))
        progress(case_id)
    result.metrics = {"documents": len(result.cases), "with_errors": result.count(FAIL),
                      "false_positives": dict(sorted(fps.items()))}
    result.failed = result.count(FAIL) > 0
    if result.failed:
        result.notes.append("error-level findings on clean documents are false positives (or real defects of the "
                            "document: then it does not belong in the clean set)")
    result.seconds = time.perf_counter() - started
    return result


# -- regression --------------------------------------------------------------------------------

SNAPSHOT_ABOUT = ("Deterministic findings of every historic VEP version of the shared corpus "
                  "(vep-review eval --only regression; rewrite with --update-snapshot). Each version is checked "
                  "at the path it had at its commit, on its commit date, with the previous version of the same "
                  "file as base (none for a file's first version). Per file: [rule, line, severity].")


def historic_findings(corpus: Corpus, cases: list[str] | None = None,
                      progress: Progress = _noop) -> dict[str, list[Finding]]:
    """Findings of every historic version, keyed by its history file (``index.json``
    ``file``), in index order.

    Each version is parsed with the repository path it had at its commit
    (``path_at_commit``), checked on its commit date, and with the previous version of the
    same file (same ``path``, earlier in date order) as base; a file's first version has no
    base (the VEPs predate VEP-282, so they are not treated as new).
    """
    out: dict[str, list[Finding]] = {}
    previous: dict[str, tuple[bytes, str]] = {}
    order = sorted(range(len(corpus.history)), key=lambda i: (corpus.history[i].path, corpus.history[i].date, i))
    for i in order:
        v = corpus.history[i]
        data = corpus.history_bytes(v)
        prev = previous.get(v.path)
        previous[v.path] = (data, v.path_at_commit)
        case_id = f"regression/{v.file}"
        if not matches(case_id, cases):
            continue
        base: VepDocument | None = None
        if prev is not None:
            base = parse(prev[0], f"base:{prev[1]}", prev[1])
        doc = parse(data, v.file, v.path_at_commit)
        from agent.engine import check_document

        out[v.file] = check_document(doc, corpus.context(today=v.date, base=base, has_base=prev is not None))
        progress(case_id)
    return {k: out[k] for k in sorted(out)}


def snapshot_entries(findings: list[Finding]) -> list[list]:
    """The compact form stored per file: ``[rule, line, severity]`` sorted."""
    return sorted([f.rule, f.line if f.line is not None else 0, f.severity.value] for f in findings)


def load_snapshot(path: Path = SNAPSHOT) -> dict[str, list[list]] | None:
    """The stored snapshot's ``files`` mapping, or ``None`` when there is no snapshot."""
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))["files"]


def write_snapshot(files: dict[str, list[list]], path: Path = SNAPSHOT) -> None:
    """Write the snapshot: one line per file, so that a change reads as a small git diff."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{", f'  "about": {json.dumps(SNAPSHOT_ABOUT)},', '  "files": {']
    items = sorted(files.items())
    for i, (name, entries) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"    {json.dumps(name)}: {json.dumps(entries, separators=(',', ':'))}{comma}")
    lines += ["  }", "}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def diff_snapshot(old: dict[str, list[list]], new: dict[str, list[list]],
                  findings: dict[str, list[Finding]] | None = None) -> list[str]:
    """Readable diff lines: ``+ file: RULE line N severity — message`` for findings added,
    ``- file: RULE line N severity`` for findings gone; files only on one side say so."""
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append(f"- {name}: no longer checked (not in the history index or not selected)")
            continue
        if name not in old:
            out.append(f"+ {name}: new file ({len(new[name])} findings)")
            continue
        added = Counter(map(tuple, new[name])) - Counter(map(tuple, old[name]))
        removed = Counter(map(tuple, old[name])) - Counter(map(tuple, new[name]))
        messages = {}
        for f in (findings or {}).get(name, []):
            messages.setdefault((f.rule, f.line or 0, f.severity.value), f.message)
        for entry in sorted(added.elements()):
            msg = messages.get(entry)
            out.append(f"+ {name}: {entry[0]} line {entry[1]} {entry[2]}" + (f" — {msg}" if msg else ""))
        for entry in sorted(removed.elements()):
            out.append(f"- {name}: {entry[0]} line {entry[1]} {entry[2]}")
    return out


def run_regression(corpus: Corpus, *, update: bool = False, snapshot: Path = SNAPSHOT, cases: list[str] | None = None,
                   progress: Progress = _noop) -> SetResult:
    """Check every historic version and compare with the snapshot.

    Args:
        update: rewrite the snapshot with the current findings (``--update-snapshot``);
            only allowed for a full run (no ``cases``).

    Returns:
        a :class:`SetResult` with one case per version (``fail`` when its findings differ
        from the snapshot), ``metrics`` with ``files``, ``findings`` (by severity),
        ``added``, ``removed`` and ``changed_files``, and the diff lines in ``notes``;
        ``failed`` when anything differs (or there is no snapshot).

    Raises:
        ValueError: ``update`` with ``cases``.
    """
    if update and cases:
        raise ValueError("--update-snapshot rewrites the whole snapshot: do not combine it with --case")
    started = time.perf_counter()
    result = SetResult("regression")
    if not corpus.history:
        result.notes.append(f"{corpus.history_dir}: no history index; the regression set was not run")
        result.seconds = time.perf_counter() - started
        return result
    findings = historic_findings(corpus, cases, progress)
    current = {name: snapshot_entries(fs) for name, fs in findings.items()}
    stored = load_snapshot(snapshot)
    if update:
        write_snapshot(current, snapshot)
        result.notes.append(f"snapshot rewritten: {project_relative(snapshot)} ({len(current)} files)")
        diff = diff_snapshot(stored, current, findings) if stored is not None else []
        stored = current
    elif stored is None:
        diff = []
        result.notes.append(f"no snapshot at {project_relative(snapshot)}: run `vep-review eval --only regression "
                            "--update-snapshot` and commit it")
        result.failed = True
    else:
        if cases:
            stored = {k: v for k, v in stored.items() if k in current}
        diff = diff_snapshot(stored, current, findings)
    changed = {line.split(": ", 1)[0][2:] for line in diff}
    for name, fs in findings.items():
        status = FAIL if (name in changed and not update) or stored is None else PASS
        result.cases.append(CaseResult(f"regression/{name}", "regression", status, name,
                                       f"{len(fs)} findings" + (" (differs from the snapshot)" if status == FAIL else ""),
                                       findings=[compact(f) for f in fs]))
    severities = Counter(f.severity.value for fs in findings.values() for f in fs)
    result.metrics = {"files": len(findings), "findings": dict(sorted(severities.items())),
                      "added": sum(1 for d in diff if d.startswith("+ ")),
                      "removed": sum(1 for d in diff if d.startswith("- ")),
                      "changed_files": len(changed),
                      "by_rule": dict(sorted(Counter(f.rule for fs in findings.values() for f in fs).items()))}
    if diff:
        title = "changes written to the snapshot:" if update else \
            "findings differ from the snapshot (review them; accept with --update-snapshot):"
        result.notes.append(title)
        result.notes.extend(diff)
        if not update:
            result.failed = True
    result.seconds = time.perf_counter() - started
    return result
