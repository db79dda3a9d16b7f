"""``--format json``: the stable machine-readable contract, version 1.

::

    {"version": 1,
     "findings": [{"rule", "name", "severity", "path", "line", "section",
                   "message", "fix", "source", "origin", …}],
     "files": [{"path", "errors": n, "warnings": n, "infos": n, "error": null|"…",
                "stage": "alpha"|"beta"|"ga"|null, "stage_evidence": "…"}],  # stage: review only
     "summary": {"files": n, "error": n, "warning": n, "info": n, "unreadable": n},
     "errors": ["…"],                                  # only for inputs that are not files
     "skipped": ["…"],                                 # only for supplementary files named
     "llm": {"status": "…", "usage": {…}}}            # only for `vep-review review`

Keys are only ever added within a version; a removal or change of meaning bumps it.
"""

from __future__ import annotations

import json
from typing import TextIO

from agent.findings import summarize


def report_to_dict(report) -> dict:
    """The JSON document for ``report`` as a dict."""
    findings = report.findings
    files = []
    for fr in report.files:
        counts = summarize(fr.findings)
        entry = {"path": fr.path, "errors": counts["error"], "warnings": counts["warning"],
                 "infos": counts["info"], "error": fr.error}
        if fr.stage_evidence is not None:  # the stage the review held the VEP to (agent/stage.py)
            entry.update(stage=fr.stage, stage_evidence=fr.stage_evidence)
        files.append(entry)
    summary = {"files": len(report.files), **summarize(findings),
               "unreadable": sum(1 for fr in report.files if fr.error) + len(report.errors)}
    data = {"version": 1, "findings": [f.to_json() for f in findings], "files": files, "summary": summary}
    if report.errors:
        data["errors"] = list(report.errors)
    if report.skipped:
        data["skipped"] = list(report.skipped)
    if report.llm_status is not None or report.usage:
        data["llm"] = {"status": report.llm_status, "usage": report.usage}
    return data


def render_json(report, out: TextIO) -> None:
    """Write the JSON document with a final newline: one top-level key per line, and each
    finding and file on a line of its own (easy to read and to grep; and written by the
    json module's C encoder, which ``indent=`` would replace by its pure-Python one, five
    times slower on the corpus's findings)."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    parts = []
    for key, value in report_to_dict(report).items():
        if isinstance(value, list) and value:
            value_text = "[\n    " + ",\n    ".join(map(dumps, value)) + "\n  ]"
        else:
            value_text = dumps(value)
        parts.append(f"  {dumps(key)}: {value_text}")
    out.write("{\n" + ",\n".join(parts) + "\n}\n")  # one write
