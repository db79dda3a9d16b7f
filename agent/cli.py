"""``vep-review``: the command line, thin over :mod:`agent.engine` and the review graph.

Subcommands (:data:`COMMANDS`; one line each, their options in one function each):

- ``check [PATH…]``: the deterministic review (no API key, no network; fast); without a
  path, the repository around the current directory.
- ``review [PATH…]``: the whole review graph: deterministic checks, then the LLM reviewers
  (the ``llm`` extra).
- ``rules [ID]``: list the rules, or print one rule's documentation.
- ``migrate PATH…``, ``status [PATH]``, ``new``: beyond review (:mod:`agent.commands`): give
  legacy VEPs front matter, report every VEP's state per release, start a VEP from the template.
- ``github …``: the GitHub Actions front end (``vep-review github --help``).
- ``eval …``: evaluation runs over historic VEPs (``vep-review eval --help``).

Report options follow ruff: ``--output-format full|concise|json|github|sarif`` (``--format``
is an alias), ``--statistics``, ``--exit-zero``, ``--strict``, ``--quiet``, ``--select`` /
``--ignore``, ``NO_COLOR`` / ``FORCE_COLOR``.

Exit codes (as ruff): 0 no error-level finding, 1 at least one (with ``--strict``, a
warning too), 2 usage error, a missing extra or an input that could not be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from functools import lru_cache
from typing import NamedTuple, NoReturn


def _count(text: str) -> int:
    """A whole number >= 0 (``--max-findings``)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return value


def _seconds(text: str) -> float:
    """A number of seconds > 0 (``--llm-timeout``)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 < SECONDS <= 86400): {text!r}")
    return value


def _date(text: str) -> dt.date:
    from agent.schedules import parse_date

    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")
    return value


# -- options -----------------------------------------------------------------------------------
# Each subcommand's options are added by one function below (or by ``add_arguments`` of the
# module its :data:`COMMANDS` entry names): adding an option is one line in that function.

_SCHEDULES_HELP = ("kubevirt/sig-release checkout (releases/vX.Y/schedule.yaml); default: ../sig-release beside the "
                   "repository")


def add_input_options(p: argparse.ArgumentParser) -> None:
    """What to check and how (``check`` and ``review``)."""
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="VEP files, or directories searched for VEP documents; '-' reads standard input "
                        "(default: the repository around the current directory)")
    base = p.add_mutually_exclusive_group()
    base.add_argument("--base", metavar="REF", help="git revision of the base version (status transitions, VEP Freeze, removed front matter)")
    base.add_argument("--base-file", metavar="PATH", help="a file holding the base version of the one checked file")
    p.add_argument("--schedules", metavar="DIR", help=_SCHEDULES_HELP)
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date for the VEP Freeze rule and the review stage (default: today)")
    p.add_argument("--label", action="append", default=[], metavar="LABEL",
                   help="a PR label, e.g. freeze-exception (repeatable)")
    p.add_argument("--config", metavar="FILE", help="configuration file (default: .vep-review.yaml or pyproject.toml in the repository)")
    p.add_argument("--new", action="store_true", help="treat the VEPs as new: front matter is required")
    p.add_argument("--as-path", metavar="REPO_PATH",
                   help="check the one file (or standard input) as if it were at this path of the repository "
                        "(e.g. veps/sig-x/1-y/vep.md); findings are reported under it")


def add_report_options(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """How the findings are reported, as ruff does (``check`` and ``review``)."""
    g = p.add_argument_group("report options (as ruff)")
    g.add_argument("--output-format", "--format", dest="output_format", choices=formats, default="full",
                   help="full (alias text): grouped by file with fixes; concise: one line per finding, "
                        "path:line:col: ID message; " + ", ".join(f for f in formats if f not in ("full", "text", "concise")))
    g.add_argument("--statistics", action="store_true", help="print the number of findings of each rule, not the findings")
    g.add_argument("--exit-zero", action="store_true", help="exit 0 even when error-level findings are found")
    g.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    g.add_argument("-q", "--quiet", action="store_true", help="print the findings only (no summary or notes)")
    g.add_argument("--select", action="append", metavar="RULES",
                   help="report only these rules: IDs, ID prefixes (VEP4) or names, comma separated (repeatable)")
    g.add_argument("--ignore", action="append", metavar="RULES", help="do not report these rules (as --select)")
    g.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text formats (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it)")


def check_options(p: argparse.ArgumentParser) -> None:
    """``vep-review check``."""
    add_input_options(p)
    add_report_options(p, ("full", "text", "concise", "json", "github", "sarif"))
    p.add_argument("--github-repo", metavar="OWNER/NAME",
                   help="run the process checks (VEP7xx: tracking issue, PR label and description) against this "
                        "repository through the GitHub API, with $GITHUB_TOKEN")


def review_options(p: argparse.ArgumentParser) -> None:
    """``vep-review review``."""
    add_input_options(p)
    add_report_options(p, ("full", "text", "concise", "json", "github", "markdown", "sarif"))
    p.add_argument("--no-llm", action="store_true", help="run only the deterministic part")
    p.add_argument("--model", help="Anthropic model id (default: $VEP_REVIEW_MODEL or the configured default)")
    p.add_argument("--base-url", help="Anthropic-compatible endpoint (default: $ANTHROPIC_BASE_URL)")
    p.add_argument("--max-findings", type=_count, metavar="N",
                   help="at most N LLM findings per VEP, the best ranked (default: configuration llm.max_findings, else 5)")
    p.add_argument("--llm-timeout", type=_seconds, metavar="SECONDS", help="time limit of the LLM part (default: configuration llm.timeout, else 120)")


def rules_options(p: argparse.ArgumentParser) -> None:
    """``vep-review rules``."""
    p.add_argument("rule", nargs="?", metavar="ID", help="rule ID or name")
    p.add_argument("--output-format", "--format", dest="output_format", choices=["text", "json"], default="text")


class Command(NamedTuple):
    """A subcommand of ``vep-review``.

    Attributes:
        help: one line for ``vep-review --help``.
        run: ``"module:function"``: ``function(args) -> exit code``; for a ``passthrough``
            command, ``function(argv) -> exit code`` (it parses its own options).
        options: ``"module:function"`` adding the subcommand's options to its parser
            (default: ``add_arguments`` of ``run``'s module); unused for ``passthrough``.
        description: the text of ``vep-review COMMAND --help`` (default: ``help``).
        passthrough: the command's own parser takes every argument after its name.
    """

    help: str
    run: str
    options: str | None = None
    description: str | None = None
    passthrough: bool = False


#: Every subcommand (one file per command; a new command is one line here).
COMMANDS: dict[str, Command] = {
    "check": Command("deterministic checks (no API key needed)", "agent.cli:cmd_check", "agent.cli:check_options",
                     "Run the deterministic checks on VEP documents."),
    "review": Command("deterministic checks, then the LLM reviewers", "agent.cli:cmd_review", "agent.cli:review_options",
                      "Run the whole review graph: deterministic checks, then the LLM reviewers (design gaps, "
                      "cross-SIG impact, feature-gate justification). Without ANTHROPIC_API_KEY the deterministic "
                      "review is still complete. Needs the llm extra: pip install 'vep-review[llm]'."),
    "rules": Command("list the rules or show one rule's documentation", "agent.cli:cmd_rules", "agent.cli:rules_options"),
    "migrate": Command("add VEP-282 front matter to legacy VEPs", "agent.commands.migrate:run", "agent.cli:migrate_options",
                       "Add to each VEP without front matter the VEP-282 block the repository already implies (path, "
                       "H1, target-release lines, schedules, git history), with a comment per inferred value; prints "
                       "a diff unless --write."),
    "status": Command("one row per VEP: status, stage, targets, findings", "agent.commands.status:run",
                      "agent.cli:status_options",
                      "Report every VEP of a checkout: status, stage, targets, feature gate, reviewers, findings; "
                      "values from the front matter, else read from the body (marked)."),
    "new": Command("start a VEP from the template", "agent.commands.new:run", "agent.cli:new_options",
                   "Create veps/<sig>/<number>-<slug>/vep.md from the repository's template (or the bundled one) "
                   "with provisional front matter; never overwrites."),
    "github": Command("GitHub Actions front end (/vep-review comments, PR checks)", "agent.github:main", passthrough=True),
    "eval": Command("evaluation runs over historic VEPs", "evals.run:main", passthrough=True),
}


def _resolve(target: str):
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)

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


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The argument parser of ``vep-review`` and its subcommands' parsers by name.

    Args:
        only: add the options of this subcommand only (the one being run: the others'
            options, and their modules, are not loaded); ``None``: of every subcommand.
    """
    parser = argparse.ArgumentParser(prog="vep-review", description="Review KubeVirt Enhancement Proposals (VEPs).",
                                     formatter_class=_HelpFormatter)
    from agent import __version__

    parser.add_argument("--version", action="version", version=f"vep-review {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parsers: dict[str, argparse.ArgumentParser] = {}
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.help, description=command.description or command.help,
                           formatter_class=_HelpFormatter, add_help=not command.passthrough)
        parsers[name] = p
        if not command.passthrough and only in (None, name):
            _resolve(command.options or command.run.partition(":")[0] + ":add_arguments")(p)
    return parser, parsers


def migrate_options(p: argparse.ArgumentParser) -> None:
    """``vep-review migrate`` (agent/commands/migrate.py)."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="VEP files, or directories searched for VEP documents")
    p.add_argument("--write", action="store_true", help="edit the files in place instead of printing a diff")
    p.add_argument("--schedules", metavar="DIR", help=_SCHEDULES_HELP)
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date releases are shipped by (default: today)")
    p.add_argument("--no-git", action="store_true", help="do not read creation-date and authors from git history")


def status_options(p: argparse.ArgumentParser) -> None:
    """``vep-review status`` (agent/commands/status.py)."""
    p.add_argument("path", nargs="?", default=".", metavar="PATH", help="enhancements checkout or directory (default: .)")
    p.add_argument("--release", metavar="vX.Y", help="only VEPs targeting this release, with its VEP Freeze date")
    p.add_argument("--format", choices=("text", "markdown", "json", "csv"), default="text")
    p.add_argument("--schedules", metavar="DIR", help=_SCHEDULES_HELP)
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date for shipped releases and days left (default: today)")


def new_options(p: argparse.ArgumentParser) -> None:
    """``vep-review new`` (agent/commands/new.py)."""
    p.add_argument("--sig", required=True, help="owning SIG, e.g. sig-compute")
    p.add_argument("--number", required=True, type=int, help="the tracking issue number")
    p.add_argument("--title", required=True, help="short descriptive title")
    p.add_argument("--author", action="append", metavar="@HANDLE", help="an author's GitHub handle (repeatable; "
                   "default: git config github.user)")
    p.add_argument("--feature-gate", metavar="NAME", help="the feature gate (default: TBD)")
    p.add_argument("--repo", default=".", metavar="DIR", help="enhancements checkout (default: .)")
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="creation-date (default: today)")


def _options(args):
    from agent.engine import CheckOptions

    return CheckOptions(base_ref=args.base, base_file=args.base_file, schedules=args.schedules, today=args.today,
                        labels=frozenset(args.label), config=args.config, new=args.new, as_path=args.as_path)


def _color(args) -> bool | None:
    return {"auto": None, "always": True, "never": False}[args.color]


def _paths(args) -> list[str]:
    """The paths to check: as given, else the repository around the current directory (the
    nearest ancestor holding ``veps/``), else the current directory."""
    if args.paths:
        return args.paths
    from agent.document import find_repo_root

    cwd = os.getcwd()
    root = find_repo_root(os.path.join(cwd, "-")) or find_repo_root(cwd)  # within veps/, or above it
    return [str(root) if root is not None else "."]


def exit_code(report, args) -> int:
    """ruff's convention: 2 when an input could not be read; 1 when an error-level finding
    (with ``--strict``, a warning too) is left after ``--select``/``--ignore``, unless
    ``--exit-zero``; else 0."""
    if report.errors or any(fr.error for fr in report.files):
        return 2
    if args.exit_zero:
        return 0
    failing = ("error", "warning") if args.strict else ("error",)
    return 1 if any(f.severity.value in failing for f in report.findings) else 0


def report_and_exit(report, args) -> int:
    """Apply ``--select``/``--ignore``, write the report as the options say and return the
    exit code (:func:`exit_code`); shared by ``check`` and ``review``."""
    from agent import selection
    from agent.output import render

    selection.apply(report, args.select_, args.ignore_)
    fmt = args.output_format
    if args.statistics:
        from agent.output.statistics import render_statistics

        render_statistics(report, sys.stdout, "json" if fmt == "json" else "full")
    else:
        render(report, fmt, sys.stdout, _color(args), quiet=args.quiet)
    if fmt not in ("text", "full", "concise") or args.statistics:  # the text formats show them already
        for err in report.errors:
            print(f"vep-review: error: {err}", file=sys.stderr)
    return exit_code(report, args)


def _selectors(args) -> None:
    from agent.selection import parse_selectors

    args.select_, args.ignore_ = parse_selectors(args.select), parse_selectors(args.ignore)
    if args.statistics and args.output_format not in ("text", "full", "concise", "json"):
        raise UsageErrorLine("--statistics works with the full, concise and json output formats")


class UsageErrorLine(ValueError):
    """A one-line usage error of the command line (exit code 2)."""


def cmd_check(args) -> int:
    """``vep-review check``."""
    from agent.engine import UsageError, check_paths

    _selectors(args)
    paths = _paths(args)
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    process, skipped = _process_checks(args.github_repo)
    try:
        report = check_paths(paths, _options(args)._replace(github=process), stdin=stdin)
    except UsageError as exc:
        raise UsageErrorLine(str(exc)) from None
    code = report_and_exit(report, args)
    # one line under the full report; machines (json, sarif), editors and pre-commit (concise)
    # and --quiet need not see it
    if skipped and (args.github_repo or (args.output_format in ("text", "full") and not args.quiet)):
        print(f"vep-review: {skipped}", file=sys.stderr)
    if process is not None and process.failed is not None:
        print(f"vep-review: {process.failed}", file=sys.stderr)
    return code


def _process_checks(repo: str | None):
    """``(ProcessContext or None, one line saying why the process checks are skipped or None)``
    for ``--github-repo``; :mod:`agent.github.api` (standard library only) is imported only
    when a repository is given."""
    if not repo:
        return None, "process checks (VEP7xx) skipped: they need --github-repo OWNER/NAME and GITHUB_TOKEN"
    from agent.github.api import process_context, pull_from_event

    pull = pull_from_event() if os.environ.get("GITHUB_ACTIONS") == "true" else (None, None)
    return process_context(repo, os.environ.get("GITHUB_TOKEN"), os.environ.get("GITHUB_API_URL"), *pull)


def cmd_review(args) -> int:
    """``vep-review review`` (the LLM part needs the llm extra)."""
    from agent.engine import UsageError
    from agent.extras import require
    from agent.review import LlmOptions, run_review

    if not args.no_llm:
        require("llm", "vep-review review")
    _selectors(args)
    paths = _paths(args)
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    llm = LlmOptions(enabled=not args.no_llm, model=args.model, base_url=args.base_url, total_timeout=args.llm_timeout,
                     max_findings=args.max_findings)
    try:
        report = run_review(paths, _options(args), llm, stdin=stdin)
    except UsageError as exc:
        raise UsageErrorLine(str(exc)) from None
    return report_and_exit(report, args)


def plain(text: str) -> str:
    """A rule's documentation for a terminal: reStructuredText's double backticks
    (````x````) become the single backticks of markdown."""
    return text.replace("``", "`")


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
    if args.output_format == "json":
        import json

        json.dump([{"id": r.id, "name": r.name, "severity": r.severity, "family": r.family, "source": r.source,
                    "fix": r.fix, "doc": r.doc.strip(), "enabled_by_default": r.enabled_by_default} for r in selected],
                  sys.stdout, indent=2)
        print()
        return 0
    if args.rule:
        r = selected[0]
        print(f"{r.id} {r.name} ({r.severity}; {r.family})\nSource: {plain(r.source)}\n")
        print(plain(textwrap.dedent(r.doc).strip()))
        return 0
    family = None
    for r in selected:
        if r.family != family:
            family = r.family
            print(f"\n{family}:")
        print(f"  {r.id}  {r.name:<34} {r.severity:<8} {plain(r.summary)}")
    print("\n`vep-review rules ID` prints a rule's documentation.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``vep-review`` console script; returns the exit code.

    Usage errors (bad options, also of a subcommand: that subcommand's usage is shown), an
    unknown rule selector, bad configuration and a missing extra are one line on standard
    error and exit code 2.
    """
    from agent.extras import MissingExtra, from_import_error
    from agent.selection import SelectorError

    argv = sys.argv[1:] if argv is None else argv
    name = argv[0] if argv else None
    command = COMMANDS.get(name)
    try:
        if command is not None and command.passthrough:  # its own parser owns every option after the name
            return _resolve(command.run)(argv[1:])
        parser, parsers = build_parser(name if command is not None else None)
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # argparse would show the top-level usage; show the subcommand's
            parsers.get(args.command, parser).error(f"unrecognized arguments: {' '.join(unknown)}")
        if not args.command:
            parser.print_help()
            return 2
        return _resolve(COMMANDS[args.command].run)(args)
    except (MissingExtra, SelectorError, UsageErrorLine) as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # a module of an extra that is not installed, met on the way
        missing = from_import_error(exc, f"vep-review {name}")
        if missing is None:
            raise
        print(f"vep-review: error: {missing}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0

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
