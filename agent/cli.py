"""``vep-review``: the command line, thin over :mod:`agent.engine` and the review graph.

Subcommands:

- ``check PATH…``: the deterministic review (no API key, no network; fast).
- ``review PATH…``: the whole review graph: deterministic checks, then the LLM reviewers.
- ``rules [ID]``: list the rules, or print one rule's documentation.
- ``github …``: the GitHub Actions front end (``vep-review github --help``).
- ``eval …``: evaluation runs over historic VEPs (``vep-review eval --help``).

Exit codes (as ruff): 0 no error-level finding, 1 at least one, 2 usage error or an input
that could not be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from functools import lru_cache
from typing import NoReturn

from agent.output import FORMATS


def _date(text: str) -> dt.date:
    from agent.schedules import parse_date

    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")
    return value


def _add_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="VEP files, or directories searched for VEP documents; '-' reads standard input")
    base = p.add_mutually_exclusive_group()
    base.add_argument("--base", metavar="REF", help="git revision of the base version (status transitions, VEP Freeze, removed front matter)")
    base.add_argument("--base-file", metavar="PATH", help="a file holding the base version of the one checked file")
    p.add_argument("--schedules", metavar="DIR",
                   help="kubevirt/sig-release checkout (releases/vX.Y/schedule.yaml); default: ../sig-release beside the repository")
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date for the VEP Freeze rule (default: today)")
    p.add_argument("--label", action="append", default=[], metavar="LABEL",
                   help="a PR label, e.g. freeze-exception (repeatable)")
    p.add_argument("--config", metavar="FILE", help="configuration file (default: .vep-review.yaml or pyproject.toml in the repository)")
    p.add_argument("--new", action="store_true", help="treat the VEPs as new: front matter is required")
    p.add_argument("--as-path", metavar="REPO_PATH",
                   help="check the one file as if it were at this path of the repository (e.g. veps/sig-x/1-y/vep.md)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour text output")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at the terminal's width, found as ``shutil.get_terminal_size``
    does ($COLUMNS, else the terminal of standard output, else 80) but once, and without
    importing shutil: argparse makes a formatter for every option it adds, and shutil
    (with bz2, lzma and zlib) is a few milliseconds of every start."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


@lru_cache(maxsize=1)
def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vep-review``."""
    parser = argparse.ArgumentParser(prog="vep-review", description="Review KubeVirt Enhancement Proposals (VEPs).",
                                     formatter_class=_HelpFormatter)
    from agent import __version__

    parser.add_argument("--version", action="version", version=f"vep-review {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="deterministic checks (no API key needed)", formatter_class=_HelpFormatter,
                           description="Run the deterministic checks on VEP documents.")
    _add_check_options(check)
    check.add_argument("--format", choices=[f for f in FORMATS if f != "markdown"], default="text")

    review = sub.add_parser("review", help="deterministic checks, then the LLM reviewers",
                            formatter_class=_HelpFormatter,
                            description="Run the whole review graph: deterministic checks, then the LLM reviewers "
                                        "(design gaps, cross-SIG impact, feature-gate justification). Without "
                                        "ANTHROPIC_API_KEY the deterministic review is still complete.")
    _add_check_options(review)
    review.add_argument("--format", choices=["text", "json", "markdown", "sarif"], default="text")
    review.add_argument("--no-llm", action="store_true", help="run only the deterministic part")
    review.add_argument("--model", help="Anthropic model id (default: $VEP_REVIEW_MODEL or the configured default)")
    review.add_argument("--base-url", help="Anthropic-compatible endpoint (default: $ANTHROPIC_BASE_URL)")
    review.add_argument("--max-findings", type=int, metavar="N", help="at most N LLM findings per VEP, the best ranked (default 5; configuration llm: max_findings)")

    rules = sub.add_parser("rules", help="list the rules or show one rule's documentation",
                           formatter_class=_HelpFormatter)
    rules.add_argument("rule", nargs="?", metavar="ID", help="rule ID or name")
    rules.add_argument("--format", choices=["text", "json"], default="text")

    for name, help_text in (("github", "GitHub Actions front end (/vep-review comments, PR checks)"),
                            ("eval", "evaluation runs over historic VEPs")):
        sub.add_parser(name, formatter_class=_HelpFormatter, help=help_text, add_help=False)  # main() hands them on
    return parser


def _options(args):
    from agent.engine import CheckOptions

    return CheckOptions(base_ref=args.base, base_file=args.base_file, schedules=args.schedules, today=args.today,
                        labels=frozenset(args.label), config=args.config, new=args.new, as_path=args.as_path)


def _color(args) -> bool | None:
    return {"auto": None, "always": True, "never": False}[args.color]


def cmd_check(args) -> int:
    """``vep-review check``."""
    from agent.engine import UsageError, check_paths
    from agent.output import render

    stdin = sys.stdin.buffer.read() if "-" in args.paths else None
    try:
        report = check_paths(args.paths, _options(args), stdin=stdin)
    except UsageError as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return 2
    render(report, args.format, sys.stdout, _color(args))
    for err in report.errors:
        if args.format != "text":
            print(f"vep-review: error: {err}", file=sys.stderr)
    return report.exit_code


def cmd_review(args) -> int:
    """``vep-review review``."""
    from agent.engine import UsageError
    from agent.output import render
    from agent.review import LlmOptions, run_review

    stdin = sys.stdin.buffer.read() if "-" in args.paths else None
    llm = LlmOptions(enabled=not args.no_llm, model=args.model, base_url=args.base_url, max_findings=args.max_findings)
    try:
        report = run_review(args.paths, _options(args), llm, stdin=stdin)
    except UsageError as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return 2
    render(report, args.format, sys.stdout, _color(args))
    return report.exit_code


def cmd_rules(args) -> int:
    """``vep-review rules [ID]``."""
    import textwrap

    from agent.rules import all_rules, get_rule

    if args.rule:
        rule = get_rule(args.rule)
        if rule is None:
            print(f"vep-review: error: unknown rule {args.rule!r}", file=sys.stderr)
            return 2
        selected = [rule]
    else:
        selected = all_rules()
    if args.format == "json":
        import json

        json.dump([{"id": r.id, "name": r.name, "severity": r.severity, "family": r.family, "source": r.source,
                    "fix": r.fix, "doc": r.doc.strip(), "enabled_by_default": r.enabled_by_default} for r in selected],
                  sys.stdout, indent=2)
        print()
        return 0
    if args.rule:
        r = selected[0]
        print(f"{r.id} {r.name} ({r.severity}; {r.family})\nSource: {r.source}\n")
        print(textwrap.dedent(r.doc).strip())
        return 0
    family = None
    for r in selected:
        if r.family != family:
            family = r.family
            print(f"\n{family}:")
        print(f"  {r.id}  {r.name:<34} {r.severity:<8} {r.summary}")
    print("\n`vep-review rules ID` prints a rule's documentation.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``vep-review`` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("github", "eval"):  # their own parsers own every option after the name
        try:
            if argv[0] == "github":
                from agent.github import main as github_main

                return github_main(argv[1:])
            from evals.run import main as eval_main

            return eval_main(argv[1:])
        except KeyboardInterrupt:
            return 130
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "review":
            return cmd_review(args)
        if args.command == "rules":
            return cmd_rules(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    parser.print_help()
    return 2


def run() -> NoReturn:
    """The ``vep-review`` console script (and ``python -m agent``): :func:`main` in a process
    tuned for a short run of ``check``.

    For ``check`` only (``review``, ``github`` and ``eval`` talk to the network and keep the
    interpreter's usual life): the cyclic garbage collector is off, since reference counting
    frees what a check makes (peak memory is unchanged on a 10 MB document), and the process
    ends with :func:`os._exit` once standard output and error are flushed, as mypy's
    ``hard_exit`` does, instead of freeing every object one by one at shutdown. Together
    these are about a tenth of the wall time of checking the corpus (docs/benchmarks.md).
    Tests call :func:`main`, which leaves the interpreter alone.
    """
    argv = sys.argv[1:]
    quick = bool(argv) and argv[0] == "check"
    if quick:
        import gc

        gc.disable()
    code = main(argv)
    if not quick:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stream closed
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
