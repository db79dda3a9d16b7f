"""``--format github``: GitHub Actions workflow commands, shown as annotations on the PR.

One line per finding: ``::error file=PATH,line=N,title=VEP201 front-matter-missing::message``
(``::warning`` and ``::notice`` for the other severities). Property values and messages are
escaped as the Actions runner expects (``%``, CR, LF; and ``:`` ``,`` in properties).
"""

from __future__ import annotations

from typing import TextIO

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """``text`` as the message of a GitHub Actions workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    """The workflow command for one finding."""
    props = [f"file={_escape_property(f.path)}"]
    if f.line:
        props.append(f"line={f.line}")
    props.append(f"title={_escape_property(f'{f.rule} {f.name}')}")
    message = f.message + (f"\nFix: {f.fix}" if f.fix else "")
    return f"::{_LEVEL[f.severity.value]} {','.join(props)}::{escape_data(message)}"


def render_github(report, out: TextIO) -> None:
    """Write one workflow command per finding and per unreadable input."""
    for fr in report.files:
        if fr.error:
            out.write(f"::error file={_escape_property(fr.path)}::{escape_data(fr.error)}\n")
        for f in fr.findings:
            out.write(annotation(f) + "\n")
    for err in report.errors:
        out.write(f"::error::{escape_data(err)}\n")
    if report.llm_status:
        out.write(f"::notice::{escape_data(report.llm_status)}\n")
