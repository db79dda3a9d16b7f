"""``--statistics`` (ruff's convention): instead of the findings, how many there are of each
rule, most frequent first.

Text: one line per rule, ``count  ID  name  severity`` with aligned columns; JSON: a list of
``{"code", "name", "severity", "count"}`` (``code`` as in ruff's statistics).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO


def statistics(report) -> list[dict]:
    """Per rule and severity: ``[{"code", "name", "severity", "count"}]``, most frequent
    first, then by ID."""
    counts = Counter((f.rule, f.name, f.severity.value) for f in report.findings)
    return [{"code": rule, "name": name, "severity": severity, "count": n}
            for (rule, name, severity), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def render_statistics(report, out: TextIO, fmt: str = "full") -> None:
    """Write the statistics as text (``fmt`` full or concise) or JSON (``fmt`` json)."""
    rows = statistics(report)
    if fmt == "json":
        json.dump(rows, out, indent=2)
        out.write("\n")
        return
    width = max((len(str(r["count"])) for r in rows), default=1)
    ids = max((len(r["code"]) for r in rows), default=6)
    names = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        out.write(f"{r['count']:>{width}}  {r['code']:<{ids}}  {r['name']:<{names}}  {r['severity']}\n")
    for fr in report.files:
        if fr.error:
            out.write(f"error: {fr.path}: {fr.error}\n")
    for err in report.errors:
        out.write(f"error: {err}\n")
