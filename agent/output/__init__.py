"""Output formats of a :class:`agent.engine.Report`: ``full`` (alias ``text``: grouped by
file, colour on a terminal), ``concise`` (one line per finding), ``json`` (the stable contract, version 1), ``github`` (workflow commands that
become annotations), ``sarif`` (SARIF 2.1.0, for code scanning) and ``markdown`` (the PR
comment body). Every format renders the same :class:`agent.findings.Finding` objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from agent.engine import Report

FORMATS = ("text", "json", "github", "sarif", "markdown", "full", "concise")


def render(report: "Report", fmt: str, out: TextIO, color: bool | None = None, *, quiet: bool = False) -> None:
    """Write ``report`` to ``out`` in format ``fmt`` (one of :data:`FORMATS`).

    Args:
        color: colour the text formats; ``None`` decides from the terminal, ``NO_COLOR`` and
            ``FORCE_COLOR``.
        quiet: the text formats print the findings only (no summary, usage or notes).

    Raises:
        ValueError: unknown format.
    """
    if fmt in ("text", "full"):
        from agent.output.text import render_text

        render_text(report, out, color, quiet=quiet)
    elif fmt == "concise":
        from agent.output.concise import render_concise

        render_concise(report, out, color, quiet=quiet)
    elif fmt == "json":
        from agent.output.jsonfmt import render_json

        render_json(report, out)
    elif fmt == "github":
        from agent.output.github import render_github

        render_github(report, out)
    elif fmt == "sarif":
        from agent.output.sarif import render_sarif

        render_sarif(report, out)
    elif fmt == "markdown":
        from agent.output.markdown import render_markdown

        out.write(render_markdown(report))
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
