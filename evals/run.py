"""``vep-review eval``: run the case sets, print a summary, write the report.

Python API: :func:`run_eval` with :class:`EvalOptions` returns an
:class:`evals.report.EvalReport` (the tests use it); :func:`main` is the command line.
See docs/evals.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evals.corpus import PROJECT_ROOT, Corpus, CorpusMissing, project_relative
from evals.report import EvalReport

DETERMINISTIC = ("mutations", "clean", "regression")
LLM_SETS = ("concerns", "gaps")
ALL_SETS = DETERMINISTIC + LLM_SETS
ALIASES = {"deterministic": DETERMINISTIC, "llm": LLM_SETS, "all": ALL_SETS, "mutation": ("mutations",),
           "human": ("concerns",), "human-concerns": ("concerns",), "design-gaps": ("gaps",)}
DEFAULT_OUT = PROJECT_ROOT / "evals" / "out"


@dataclass
class EvalOptions:
    """What to run (the flags of ``vep-review eval``).

    Attributes:
        corpus: enhancements checkout (default ../shared/corpus/kubevirt-enhancements).
        sets: case sets to run, in :data:`ALL_SETS` order.
        cases: ``--case`` patterns (exact ID, glob, or ID prefix).
        targets: mutation/gap target VEPs (repository paths, or ``["all"]``).
        today: date of the deterministic checks (default :data:`evals.corpus.DEFAULT_TODAY`).
        update_snapshot: rewrite the regression snapshot.
        snapshot: the regression snapshot file.
        examples: folder of example VEPs for the clean set (default ``examples/``).
        model, cassettes, record, batch, base_url: LLM sets (:class:`evals.llm.LlmSettings`).
    """

    corpus: str | None = None
    sets: tuple[str, ...] = ALL_SETS
    cases: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    today: dt.date | None = None
    update_snapshot: bool = False
    snapshot: Path | None = None
    examples: Path | None = None
    model: str | None = None
    cassettes: Path | None = None
    record: bool = False
    batch: bool = False
    base_url: str | None = None
    baseline: str | None = None
    split: Path | None = None
    judge: bool | None = None


class EvalUsageError(ValueError):
    """What a run needs is missing (a key or vcrpy for ``--record``); ``str(exc)`` is the one
    line to print; the command exits 2."""


def preflight(options: EvalOptions) -> None:
    """Refuse, in one line, a run that cannot do what it was asked.

    Raises:
        EvalUsageError: ``--record`` of an LLM set without ``ANTHROPIC_API_KEY`` (and no
            ``--base-url``/``$ANTHROPIC_BASE_URL``), or without vcrpy installed.
    """
    import importlib.util
    import os

    llm_sets = [n for n in options.sets if n in LLM_SETS and not (n == "concerns" and options.baseline)]
    if not options.record or not llm_sets:
        return
    if importlib.util.find_spec("vcr") is None:
        raise EvalUsageError("--record needs vcrpy, which is not installed: pip install vcrpy "
                             "(it comes with vep-review's test extra: pip install -e '.[test]')")
    if not os.environ.get("ANTHROPIC_API_KEY") and not (options.base_url or os.environ.get("ANTHROPIC_BASE_URL")):
        raise EvalUsageError("--record needs an API key: export ANTHROPIC_API_KEY=sk-ant-... "
                             "(or give --base-url URL of an endpoint that needs none)")


def run_eval(options: EvalOptions, progress: Callable[[str, str], None] | None = None) -> EvalReport:
    """Run the selected case sets.

    Args:
        options: :class:`EvalOptions`.
        progress: called as ``progress(set_name, case_id)`` after each case.

    Returns:
        the :class:`EvalReport` (not yet written).

    Raises:
        evals.corpus.CorpusMissing: the corpus does not exist.
        ValueError: bad case specs or an invalid combination of options.
        EvalUsageError: ``--record`` without what it needs (:func:`preflight`).
        FileNotFoundError: ``--split`` names no file.
    """
    from evals import deterministic as det

    preflight(options)
    started = time.perf_counter()
    corpus = Corpus.open(options.corpus, options.today)
    report = EvalReport()
    source = corpus.root / "SOURCE.txt"
    commit = ""
    if source.is_file():
        import re

        m = re.search(r"\b[0-9a-f]{40}\b", source.read_text(encoding="utf-8", errors="replace"))
        commit = f"commit {m.group(0)[:12]}" if m else ""
    report.corpus = {"path": project_relative(corpus.root), "source": commit, "today": corpus.today.isoformat(),
                     "history_versions": len(corpus.history)}
    tick = (lambda name: (lambda case_id: progress(name, case_id))) if progress else (lambda name: (lambda _: None))
    targets = options.targets or None
    for name in options.sets:
        if name == "mutations":
            s = det.run_mutations(corpus, targets=targets, cases=options.cases, progress=tick(name))
            if not s.metrics.get("cases_run"):  # a recall over nothing is no pass
                report.failures.append("no mutation case ran (are the target VEPs in the corpus, does --case match?)")
            elif s.failed:
                missed = s.metrics["cases_run"] - s.metrics["detected"]
                report.failures.append(f"mutation recall {s.metrics['recall'] * 100:.1f}% ({missed} planted defect(s) "
                                       "missed or mis-graded)")
            if s.count("error"):
                report.failures.append(f"{s.count('error')} mutation case(s) raised in the harness")
        elif name == "clean":
            s = det.run_clean(corpus, cases=options.cases, examples_dir=options.examples, progress=tick(name))
            if s.failed:
                report.failures.append(f"{s.metrics['with_errors']} clean document(s) with error-level findings")
        elif name == "regression":
            s = det.run_regression(corpus, update=options.update_snapshot, snapshot=options.snapshot or det.SNAPSHOT,
                                   cases=options.cases, progress=tick(name))
            if s.failed:
                report.failures.append("the regression findings differ from the snapshot" if s.metrics else
                                       "the regression snapshot is missing")
        else:
            from evals import llm

            dev = llm.is_dev_split(corpus, options.split)
            cases = llm.concern_cases(corpus, options.split) if name == "concerns" else llm.gap_cases(corpus, targets)
            if name == "concerns" and options.baseline:
                s = llm.run_baseline(cases, corpus, options.baseline, selected=options.cases, dev_split=dev,
                                     progress=tick(name))
            else:
                settings = llm.LlmSettings(model=options.model or llm.default_model(),
                                           cassettes=options.cassettes or llm.replay.CASSETTES_DIR,
                                           record=options.record, batch=options.batch, base_url=options.base_url,
                                           judge=options.judge, dev_split=dev)
                s = llm.run_llm_set(name, cases, corpus, settings, selected=options.cases, progress=tick(name))
            if s.count("error"):
                report.failures.append(f"{s.count('error')} {name} case(s) failed (an LLM call failed, or a cassette "
                                       "does not answer every request)")
        report.sets.append(s)
    report.wall_seconds = time.perf_counter() - started
    return report


def _sets(values: list[str]) -> tuple[str, ...]:
    chosen: set[str] = set()
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part in ALIASES:
                chosen.update(ALIASES[part])
            elif part in ALL_SETS:
                chosen.add(part)
            else:
                raise argparse.ArgumentTypeError(
                    f"unknown set {part!r} (choose from {', '.join(ALL_SETS)}, deterministic, llm)")
    return tuple(s for s in ALL_SETS if s in chosen) or ALL_SETS


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vep-review eval``."""
    from agent.cli import _date

    p = argparse.ArgumentParser(
        prog="vep-review eval",
        description="Evaluate vep-review: planted defects (mutations), clean VEPs, historic versions (regression "
                    "snapshot), and the LLM reviewer on human concerns and planted design gaps (replayed cassettes).",
        epilog="Exit code 1 when mutation recall is below 100%, a clean VEP has an error-level finding, the "
               "regression snapshot differs or an LLM case failed; 2 on usage errors (--record without a key or "
               "vcrpy). See docs/evals.md.")
    p.add_argument("--corpus", metavar="DIR", help="kubevirt/enhancements checkout (default: "
                   "../shared/corpus/kubevirt-enhancements; its -history sibling holds the historic versions)")
    p.add_argument("--only", action="append", default=[], metavar="SET",
                   help=f"case sets to run, comma-separated or repeated: {', '.join(ALL_SETS)}, deterministic, llm "
                        "(default: all)")
    p.add_argument("--case", action="append", default=[], metavar="ID",
                   help="run only cases with this ID, ID prefix or glob (repeatable), e.g. 'mutations/drop_section-*'")
    p.add_argument("--targets", action="append", default=[], metavar="REPO_PATH",
                   help="target VEPs of the mutation and gap sets, as repository paths of the corpus "
                        "(repeatable), or 'all' for every VEP (default: the lists in evals/cases/*.yaml)")
    p.add_argument("--out", metavar="DIR", default=None, help="report directory (default: evals/out/)")
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                   help="date of the deterministic checks (default: 2026-03-01, fixed so that figures do not drift)")
    p.add_argument("--update-snapshot", action="store_true", help="rewrite evals/snapshots/regression.json")
    p.add_argument("--snapshot", metavar="FILE", help="regression snapshot file (default: evals/snapshots/regression.json)")
    p.add_argument("--examples", metavar="DIR", help="example VEPs for the clean set (default: examples/)")
    llm = p.add_argument_group("LLM sets (concerns, gaps)")
    llm.add_argument("--model", help="model ID whose cassettes are replayed or recorded (default: $VEP_REVIEW_MODEL or "
                                     "the reviewer's default)")
    llm.add_argument("--cassettes", metavar="DIR", help="cassette root (default: evals/cassettes/); a folder named "
                                                        "'synthetic' holds test data, never a model's score")
    llm.add_argument("--record", action="store_true", help="record cassettes through the API (needs ANTHROPIC_API_KEY)")
    llm.add_argument("--batch", action="store_true", help="with --record: send the requests as one Message Batch (half price; waits until the batch ends)")
    llm.add_argument("--base-url", help="Anthropic-compatible endpoint to record from")
    llm.add_argument("--baseline", metavar="NAME|FILE",
                     help="score a baseline instead of the model on the concerns set, offline: 'shotgun' (one "
                          "generic finding per category), 'parrot' (the same, restating its quotes), 'none', or a "
                          "findings file (YAML/JSON, docs/evals.md)")
    llm.add_argument("--split", metavar="PATH", help="concerns file to score (same schema as "
                     "../shared/evals/human-concerns-dev.jsonl, the default development split)")
    llm.add_argument("--no-judge", action="store_true", help="do not make or replay the judge's call (concerns)")
    return p


class _Bar:
    """A rich progress bar on standard error, only when it is a terminal."""

    def __init__(self):
        self.progress = None
        self.tasks: dict[str, int] = {}
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.fields[set]:<11}"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
                                     console=Console(stderr=True), transient=True)

    def __enter__(self):
        if self.progress:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.__exit__(*exc)

    def __call__(self, set_name: str, case_id: str) -> None:
        if not self.progress:
            return
        if set_name not in self.tasks:
            self.tasks[set_name] = self.progress.add_task("", total=None, set=set_name)
        self.progress.update(self.tasks[set_name], advance=1, description=case_id[-60:])


def summary_lines(report: EvalReport) -> list[str]:
    """The text printed to standard output."""
    from evals.report import _pct

    out = []
    for s in report.sets:
        k = s.counts()
        extra = ""
        if s.name == "mutations":
            extra = f"recall {_pct(s.metrics.get('recall'))}"
            fps = s.metrics.get("false_positives", {})
            if fps:
                extra += "; new errors elsewhere: " + ", ".join(f"{r} ×{v['count']}" for r, v in fps.items())
        elif s.name == "clean":
            extra = f"{s.metrics.get('with_errors', 0)} with errors"
        elif s.name == "regression" and s.metrics:
            extra = f"+{s.metrics.get('added', 0)} / -{s.metrics.get('removed', 0)} vs snapshot"
        elif s.name in LLM_SETS:
            out.extend(llm_summary(s))
            continue
        out.append(f"{s.name:<11} {k['total']:>4} cases: {k['pass']} pass, {k['fail']} fail, {k['skipped']} skipped"
                   + (f", {k['not-recorded']} not recorded" if k["not-recorded"] else "")
                   + (f", {k['stale']} stale" if k["stale"] else "")
                   + (f", {k['error']} error" if k["error"] else "")
                   + f" ({s.seconds:.1f} s)" + (f" — {extra}" if extra else ""))
        for c in s.cases:
            if c.status in ("fail", "error") and s.name in ("mutations", "clean"):
                out.append(f"  {c.status.upper():<5} {c.id}: {c.detail}")
        if s.name == "regression":
            out.extend(f"  {n}" for n in s.notes)
        elif s.name in LLM_SETS:
            out.extend(f"  {n}" for n in s.notes)
    out.append(f"wall time {report.wall_seconds:.1f} s; " +
               ("FAIL: " + "; ".join(report.failures) if report.failures else "PASS"))
    return out


def llm_summary(s) -> list[str]:
    """The summary lines of an LLM set: what ran, was stale, not recorded, failed; the figures
    with both matchers; the baselines beside them."""
    from evals.report import _pct

    k = s.counts()
    m = s.metrics
    ran = k["pass"] + k["fail"]
    who = f"baseline {m['baseline']}" if m.get("baseline") else f"model {m.get('model')}"
    head = (f"{s.name:<11} {k['total']:>4} cases: {ran} ran, {k['stale']} stale, {k['not-recorded']} not recorded, "
            f"{k['error']} failed, {k['skipped']} skipped ({s.seconds:.1f} s) — {who}")
    if m.get("synthetic"):
        head += " [SYNTHETIC: not a model score]"
    out = [head]
    if m.get("cases_scored"):
        if s.name == "concerns":
            out.append(f"  {who}: recall {_pct(m.get('recall'))}, precision {_pct(m.get('precision'))} "
                       f"(content matcher, {m.get('concerns_scored', 0)} concerns in {m['cases_scored']} VEPs, "
                       f"{m.get('llm_findings', 0)} findings)")
            if m.get("judge"):
                out.append(f"  {who}: recall {_pct(m.get('judge_recall'))}, precision {_pct(m.get('judge_precision'))} "
                           "(judge)")
            elif not m.get("baseline"):
                out.append("  judge: not run (--no-judge, or no finding to judge)")
            for b, bm in (m.get("baselines") or {}).items():
                out.append(f"  baseline {b}: recall {_pct(bm.get('recall'))}, precision {_pct(bm.get('precision'))} "
                           f"(content matcher, same {bm.get('cases_scored', 0)} VEPs)")
            for cat, d in m.get("per_category", {}).items():
                judge = (f"; judge recall {_pct(d.get('judge_recall'))}, precision {_pct(d.get('judge_precision'))}"
                         if m.get("judge") else "")
                out.append(f"    {cat:<24} recall {d['matched']}/{d['concerns']} {_pct(d['recall'])}, precision "
                           f"{d['findings_matched']}/{d['findings']} {_pct(d['precision'])}{judge}")
        else:
            out.append(f"  {who}: recall {_pct(m.get('recall'))}")
    for c in s.cases:
        if c.status in ("error", "stale"):
            out.append(f"  {c.status.upper():<5} {c.id}: {c.detail}")
    out.extend(f"  {n}" for n in s.notes)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``vep-review eval``; returns the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        sets = _sets(args.only)
    except argparse.ArgumentTypeError as exc:
        print(f"vep-review eval: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        return int(exc.code or 0)
    options = EvalOptions(corpus=args.corpus, sets=sets, cases=args.case, targets=args.targets, today=args.today,
                          update_snapshot=args.update_snapshot, snapshot=Path(args.snapshot) if args.snapshot else None,
                          examples=Path(args.examples) if args.examples else None, model=args.model,
                          cassettes=Path(args.cassettes) if args.cassettes else None, record=args.record,
                          batch=args.batch, base_url=args.base_url, baseline=args.baseline,
                          split=Path(args.split) if args.split else None, judge=False if args.no_judge else None)
    try:
        with _Bar() as bar:
            report = run_eval(options, progress=bar)
    except (CorpusMissing, ValueError, FileNotFoundError) as exc:
        print(f"vep-review eval: error: {exc}", file=sys.stderr)
        return 2
    for line in summary_lines(report):
        print(line)
    md, js = report.write(Path(args.out) if args.out else DEFAULT_OUT)
    print(f"report: {project_relative(md)}, {project_relative(js)}")
    return report.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
