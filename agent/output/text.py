"""``--format text`` (default): findings grouped by file, each with line, severity, rule,
message and fix; a summary line at the end.

On a terminal (or with ``FORCE_COLOR``) the output is coloured with rich; piped output is
plain text of the same layout, so that the deterministic check does not pay rich's import
when nobody sees colours.
"""

from __future__ import annotations

from typing import TextIO

from agent.findings import counts_text, plural, summarize

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_USAGE_IN_STATUS = frozenset({"candidates", "llm_findings"})


def _lines(report, quiet: bool = False):
    """Yield one output line at a time as a list of (text, rich style or None) segments;
    ``quiet``: the findings and input errors only."""
    for fr in report.files:
        if not fr.findings and not fr.error and not fr.stage_headline:
            continue
        yield [(fr.path, "bold underline")]
        if fr.stage_headline:
            yield [("  " + fr.stage_headline, "dim")]
        if fr.error:
            yield [("  error: ", "bold red"), (fr.error, None)]
        for f in fr.findings:
            where = f"{f.line}" if f.line else "-"
            section = f" [{f.section}]" if f.section else ""
            yield [(f"  {where:>5}  ", "dim"), (f"{f.severity.value:<8}", _STYLE[f.severity.value]),
                   (f"{f.rule} {f.name}  ", "bold"), (f.message, None), (section, "dim")]
            if f.fix:
                first, *rest = f.fix.splitlines()
                yield [("         fix: ", "green"), (first, None)]
                for more in rest:
                    yield [("              " + more, None)]
        yield []
    for err in report.errors:
        yield [("error: ", "bold red"), (err, None)]
    if quiet:
        return
    for note in report.skipped:
        yield [("skipped: ", "dim"), (note, "dim")]
    if report.llm_status:
        yield [("LLM review: ", "magenta"), (report.llm_status, None)]
    if report.usage:
        u = report.usage
        # the per-call list and the drop counts are in json; the drops are in the status line above
        shown = {k: v for k, v in u.items()
                 if k not in _USAGE_IN_STATUS and not k.startswith("dropped_") and not isinstance(v, (list, dict))}
        yield [("LLM usage: ", "magenta"), (", ".join(f"{k}={v}" for k, v in shown.items()), "dim")]
    counts = summarize(report.findings)
    n_files = len(report.files)
    total = sum(counts.values())
    files = plural(n_files, "file")
    if total == 0 and not report.errors:
        yield [(f"No problems found in {files}.", "bold green")]
    else:
        yield [(f"Found {plural(total, 'problem')} ({counts_text(counts)}) in {files}.", "bold")]


def render_text(report, out: TextIO, color: bool | None = None, quiet: bool = False) -> None:
    """Write the text report. ``color``: ``None`` decides from the terminal and
    ``NO_COLOR`` / ``FORCE_COLOR`` (:func:`agent.output.concise.use_color`); ``quiet``: the
    findings only."""
    if color is None:
        from agent.output.concise import use_color

        color = use_color(out)
    if not color:
        for segments in _lines(report, quiet):
            out.write("".join(text for text, _ in segments) + "\n")
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True)
    for segments in _lines(report, quiet):
        console.print(Text.assemble(*[(t, s or "") for t, s in segments]))
