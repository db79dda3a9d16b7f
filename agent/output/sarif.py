"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run, tool ``vep-review`` with every rule as a ``reportingDescriptor`` (its summary as
``shortDescription``, its documentation as ``fullDescription``), one ``result`` per finding
with ``ruleId``, ``level`` (error / warning / note), message (fix appended) and a physical
location (``startLine`` only when the finding has a line).
"""

from __future__ import annotations

import json
from typing import TextIO

from agent import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def report_to_sarif(report) -> dict:
    """The SARIF log for ``report`` as a dict."""
    from agent.rules import all_rules

    rules = [
        {"id": r.id, "name": r.name, "shortDescription": {"text": r.summary},
         "fullDescription": {"text": r.doc.strip()}, "helpUri": None,
         "defaultConfiguration": {"level": _LEVEL[r.severity]}, "properties": {"source": r.source}}
        for r in all_rules()
    ]
    for r in rules:
        r.pop("helpUri")
    known = {r["id"] for r in rules}
    results = []
    for f in report.findings:
        if f.rule not in known:
            known.add(f.rule)
            rules.append({"id": f.rule, "name": f.name, "shortDescription": {"text": f.name}})
        location = {"artifactLocation": {"uri": f.path}}
        if f.line:
            location["region"] = {"startLine": f.line}
        text = f.message + (f" Fix: {f.fix}" if f.fix else "")
        results.append({"ruleId": f.rule, "level": _LEVEL[f.severity.value], "message": {"text": text},
                        "locations": [{"physicalLocation": location}]})
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "vep-review", "version": __version__,
                                      "informationUri": "https://github.com/kubevirt/enhancements",
                                      "rules": rules}},
                  "results": results}],
    }


def render_sarif(report, out: TextIO) -> None:
    """Write the SARIF log, indented."""
    json.dump(report_to_sarif(report), out, indent=2)
    out.write("\n")
