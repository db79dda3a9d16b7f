"""The evaluation report: ``report.md`` and ``report.json`` in the output directory.

JSON (``report.json``), version 1::

    {"version": 1, "generated": ISO time, "corpus": {...}, "wall_seconds": float,
     "exit_code": int, "failures": [str], "rules": {ID: {...}},
     "sets": {name: SetResult.to_json()}}

``rules`` joins, per deterministic rule, the mutation recall (cases expecting the rule,
detected, recall) and its false positives (new errors in mutation cases, errors on clean
documents).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from agent.rules import all_rules

from evals.results import SetResult


@dataclass
class EvalReport:
    """Everything one ``vep-review eval`` run produced.

    Attributes:
        sets: the case sets run, in order.
        corpus: corpus facts (path, source commit, history versions, date checked on).
        wall_seconds: total wall time.
        failures: reasons the run exits non-zero (empty: exit 0).
    """

    sets: list[SetResult] = field(default_factory=list)
    corpus: dict = field(default_factory=dict)
    wall_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    generated: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))

    @property
    def exit_code(self) -> int:
        """1 when mutation recall < 100%, a clean document has an error, the regression
        snapshot differs or a harness error occurred; else 0."""
        return 1 if self.failures else 0

    def get(self, name: str) -> SetResult | None:
        """The set called ``name``, if it ran."""
        return next((s for s in self.sets if s.name == name), None)

    def rules_table(self) -> dict[str, dict]:
        """Per rule: name, severity, expected, detected, recall, false positives
        (mutations, clean)."""
        table: dict[str, dict] = {}
        known = {r.id: r for r in all_rules()}
        mut = self.get("mutations")
        clean = self.get("clean")
        for rid, r in known.items():
            table[rid] = {"name": r.name, "severity": r.severity, "expected": 0, "detected": 0, "recall": None,
                          "fp_mutations": 0, "fp_clean": 0}
        if mut:
            for key, m in mut.metrics.get("rules", {}).items():
                row = table.setdefault(key, {"name": "(not a rule ID)", "severity": "", "expected": 0, "detected": 0,
                                             "recall": None, "fp_mutations": 0, "fp_clean": 0})
                row.update(expected=m["expected"], detected=m["detected"], recall=m["recall"])
            for key, fp in mut.metrics.get("false_positives", {}).items():
                table.setdefault(key, {"name": "?", "severity": "", "expected": 0, "detected": 0, "recall": None,
                                       "fp_mutations": 0, "fp_clean": 0})["fp_mutations"] = fp["count"]
        if clean:
            for key, fp in clean.metrics.get("false_positives", {}).items():
                table.setdefault(key, {"name": "?", "severity": "", "expected": 0, "detected": 0, "recall": None,
                                       "fp_mutations": 0, "fp_clean": 0})["fp_clean"] = fp["count"]
        return dict(sorted(table.items()))

    def to_json(self) -> dict:
        return {"version": 1, "generated": self.generated, "corpus": self.corpus,
                "wall_seconds": round(self.wall_seconds, 3), "exit_code": self.exit_code, "failures": self.failures,
                "rules": self.rules_table(), "sets": {s.name: s.to_json() for s in self.sets}}

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Write ``report.md`` and ``report.json`` into ``out_dir`` (created)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        md, js = out_dir / "report.md", out_dir / "report.json"
        md.write_text(render_markdown(self), encoding="utf-8")
        js.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n", encoding="utf-8")
        return md, js


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: EvalReport) -> str:
    """The human-readable report."""
    out: list[str] = ["# vep-review evaluation", ""]
    c = report.corpus
    out.append(f"Generated {report.generated}; wall time {report.wall_seconds:.1f} s; "
               f"result: **{'FAIL' if report.failures else 'PASS'}** (exit code {report.exit_code}).")
    if c:
        out.append("")
        out.append(f"Corpus: `{c.get('path')}`" + (f" ({c['source']})" if c.get("source") else "") +
                   f"; deterministic checks on {c.get('today')}; {c.get('history_versions', 0)} historic versions.")
    if report.failures:
        out += ["", "Failures:", ""] + [f"- {f}" for f in report.failures]
    out += ["", "## Case sets", "", "| set | cases | pass | fail | skipped | not recorded | stale | error | seconds |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in report.sets:
        k = s.counts()
        out.append(f"| {s.name} | {k['total']} | {k['pass']} | {k['fail']} | {k['skipped']} | {k['not-recorded']} | "
                   f"{k['stale']} | {k['error']} | {s.seconds:.2f} |")
    mut, clean = report.get("mutations"), report.get("clean")
    if mut or clean:
        out += ["", "## Deterministic rules", ""]
        if mut:
            out.append(f"Mutation recall: **{_pct(mut.metrics.get('recall'))}** "
                       f"({mut.metrics.get('detected', 0)}/{mut.metrics.get('cases_run', 0)} planted defects detected).")
        if clean:
            out.append(f"Clean documents: {clean.metrics.get('documents', 0)}, with error-level findings: "
                       f"**{clean.metrics.get('with_errors', 0)}**.")
        out += ["", "| rule | name | mutation cases | detected | recall | false positives (mutations) | "
                "errors on clean docs |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        for rid, row in report.rules_table().items():
            out.append(f"| {rid} | {row['name']} | {row['expected']} | {row['detected']} | {_pct(row['recall'])} | "
                       f"{row['fp_mutations']} | {row['fp_clean']} |")
    if mut:
        out += ["", "## Mutations", ""]
        missed = [x for x in mut.cases if x.status in ("fail", "error")]
        if missed:
            out += ["Missed (expected rule did not fire as expected):", ""]
            out += [f"- `{x.id}`: {_cell(x.detail)}" for x in missed]
        else:
            out.append("Every planted defect was detected.")
        fps = [(x, x.extra.get("false_positives")) for x in mut.cases if x.extra.get("false_positives")]
        if fps:
            out += ["", "New errors from other rules (false positives, or consequences to review):", ""]
            out += [f"- `{x.id}`: " + ", ".join(f"{r} ×{n}" for r, n in fp.items()) for x, fp in fps]
        skipped = [x for x in mut.cases if x.status == "skipped"]
        if skipped:
            out += ["", f"<details><summary>{len(skipped)} skipped cases</summary>", ""]
            out += [f"- `{x.id}`: {_cell(x.detail)}" for x in skipped]
            out += ["", "</details>"]
    if clean:
        out += ["", "## Clean documents", "", "| document | result |", "| --- | --- |"]
        out += [f"| `{x.id}` | {x.status}: {_cell(x.detail)} |" for x in clean.cases]
    reg = report.get("regression")
    if reg:
        m = reg.metrics
        out += ["", "## Regression (historic versions)", ""]
        if m:
            out.append(f"{m.get('files', 0)} versions, findings {m.get('findings', {})}; vs snapshot: "
                       f"+{m.get('added', 0)} / -{m.get('removed', 0)} in {m.get('changed_files', 0)} files.")
            out.append("")
            out.append("Findings by rule: " + ", ".join(f"{k} {v}" for k, v in m.get("by_rule", {}).items()))
        if reg.notes:
            out += ["", "```diff"] + reg.notes[:400] + (["… (truncated)"] if len(reg.notes) > 400 else []) + ["```"]
    for name in ("concerns", "gaps"):
        s = report.get(name)
        if not s:
            continue
        m = s.metrics
        title = "Human concerns (LLM)" if name == "concerns" else "Planted design gaps (LLM)"
        out += ["", f"## {title}", ""]
        for note in s.notes:
            out.append(f"> {note}")
            out.append(">")
        k = s.counts()
        who = f"Baseline `{m['baseline']}` (offline, no model)" if m.get("baseline") else f"Model `{m.get('model')}`"
        where = "" if m.get("baseline") else f", prompt hash `{m.get('prompt_hash')}`, cassettes `{m.get('cassettes')}`"
        out.append(f"{who}{where}{' (SYNTHETIC: not a model score)' if m.get('synthetic') else ''}.")
        ran = k["pass"] + k["fail"]
        out.append(f"Cases: {k['total']}; ran: {ran}; stale: {k['stale']}; not recorded: {k['not-recorded']}; "
                   f"failed: {k['error']}; skipped: {k['skipped']}.")
        if s.usage:
            out.append("Usage (from the recorded responses): " + ", ".join(f"{kk} {vv}" for kk, vv in s.usage.items()))
        if m.get("cases_scored"):
            if name == "concerns":
                out.append(f"Content matcher ({m.get('matcher_threshold')} shared salient terms, "
                           f"{m.get('matcher_own_words')} in the finding's own words): recall "
                           f"**{_pct(m.get('recall'))}**, precision **{_pct(m.get('precision'))}** "
                           f"({m.get('concerns_scored', 0)} concerns, {m.get('llm_findings', 0)} findings).")
                if m.get("judge"):
                    out.append(f"Judge: recall **{_pct(m.get('judge_recall'))}**, precision "
                               f"**{_pct(m.get('judge_precision'))}**.")
                for b, bm in (m.get("baselines") or {}).items():
                    out.append(f"Baseline {b} on the same VEPs: recall {_pct(bm.get('recall'))}, precision "
                               f"{_pct(bm.get('precision'))}.")
                out += ["", "| category | concerns | matched | recall | findings | matching | precision | "
                        "judge recall | judge precision |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
                out += [f"| {cat} | {d['concerns']} | {d['matched']} | {_pct(d['recall'])} | {d['findings']} | "
                        f"{d['findings_matched']} | {_pct(d['precision'])} | {_pct(d.get('judge_recall'))} | "
                        f"{_pct(d.get('judge_precision'))} |" for cat, d in m.get("per_category", {}).items()]
            else:
                out.append(f"Recall {_pct(m.get('recall'))}.")
                out += ["", "| expected category | planted | raised | recall |", "| --- | ---: | ---: | ---: |"]
                out += [f"| {cat} | {d['planted']} | {d['raised']} | {_pct(d['recall'])} |"
                        for cat, d in m.get("per_category", {}).items()]
        rows = [x for x in s.cases if x.status != "not-recorded"]
        if rows:
            out += ["", "| case | result |", "| --- | --- |"]
            out += [f"| `{x.id}` | {x.status}: {_cell(x.detail)} |" for x in rows]
    out.append("")
    return "\n".join(out)
