"""``--output-format concise``: one line per finding, ``path:line:col: ID message`` (ruff's
concise format, which terminals and editors turn into links to the line).

File-level findings are given line 1; findings have no column, so it is always 1. The
message is kept on its line (whitespace collapsed). After the findings, one summary line,
left out with ``--quiet``. An unreadable input is one ``path:1:1: error: reason`` line.
"""

from __future__ import annotations

import os
from typing import TextIO

from agent.findings import counts_text, plural, summarize

_BOLD, _RED, _YELLOW, _CYAN, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[0m"
_COLOR = {"error": _RED, "warning": _YELLOW, "info": _CYAN}


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(text).split())


def concise_line(f, color: bool = False) -> str:
    """The line of one finding: ``path:line:1: ID message``."""
    where = f"{f.path}:{f.line or 1}:1:"
    if color:
        return f"{_BOLD}{where}{_RESET} {_COLOR[f.severity.value]}{f.rule}{_RESET} {one_line(f.message)}"
    return f"{where} {f.rule} {one_line(f.message)}"


def render_concise(report, out: TextIO, color: bool | None = None, quiet: bool = False) -> None:
    """Write one line per finding, per unreadable input and (unless ``quiet``) a summary."""
    if color is None:
        color = use_color(out)
    lines = []
    for fr in report.files:
        if fr.error:
            lines.append(f"{fr.path}:1:1: error: {one_line(fr.error)}")
        lines.extend(concise_line(f, color) for f in fr.findings)
    lines.extend(f"error: {one_line(err)}" for err in report.errors)
    if not quiet:
        if report.llm_status:
            lines.append(f"LLM review: {one_line(report.llm_status)}")
        counts = summarize(report.findings)
        total = sum(counts.values())
        files = plural(len(report.files), "file")
        lines.append(f"Found {plural(total, 'problem')} ({counts_text(counts)}) in {files}."
                     if total or report.errors else f"No problems found in {files}.")
    out.write("".join(line + "\n" for line in lines))


def use_color(out: TextIO) -> bool:
    """Colour when ``FORCE_COLOR`` is set (and not ``0``/``false``), else on a terminal
    unless ``NO_COLOR`` is set (https://no-color.org, https://force-color.org)."""
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.lower() not in ("0", "false", "no")
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
