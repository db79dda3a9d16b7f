"""Deterministic facts the reviewers are given: does the VEP name a feature gate or opt out of
one? (The stage it is reviewed at is :func:`agent.stage.review_stage`.)

Sources: ``docs/feature-lifecycle.md`` ("Can a VEP choose to not include a feature gate?");
``docs/vep-governance.md`` (``feature-gate``: "omit field only if VEP body contains explicit
opt-out justification"; meta-VEPs, and by the same reasoning other process VEPs, are exempt
from ``feature-gate`` and ``stage``).

When the deterministic rule VEP501 (``agent/rules/vep501_feature_gate_missing.py``) is present,
its ``gate_facts`` decide, so that the deterministic and the LLM review agree on whether a gate
is named; the simple heuristics below are the fallback. Either way they only decide whether the
feature-gate reviewer runs (it is skipped when a gate is named) and which lines it is shown; the
judgement itself is the model's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.llm.sanitize import sanitize

_GATE = r"feature[\s-]?gates?"
_NAME = r"`?([A-Za-z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+)`?"
_NAMED_RES = (
    re.compile(rf"{_GATE}\s*(?:name|named|called)?\s*[:=,]?\s*`([A-Za-z][A-Za-z0-9]+)`", re.I),
    re.compile(rf"`([A-Za-z][A-Za-z0-9]+)`\s+{_GATE}", re.I),
    re.compile(rf"{_GATE}[^.`]{{0,40}}?\b(?:named|called)\s+{_NAME}", re.I),
    # an unquoted CamelCase or acronym name right before "feature gate": "the SEV feature gate"
    re.compile(rf"\b([A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*)\s+{_GATE}"),
)
_OPT_OUT_RE = re.compile(
    r"\b(?:no|without(?:\s+(?:a|any|the))?|not\s+(?:be\s+)?(?:guarded|protected|gated|behind|controlled)(?:\s+by)?(?:\s+(?:a|any))?"
    r"|skip(?:s|ping)?(?:\s+the)?|omit(?:s|ting)?(?:\s+the)?|(?:does|do|will|would)\s*(?:not|n't)\s+(?:need|require|have|use|introduce|add)(?:\s+(?:a|any))?"
    r"|won't\s+(?:need|require|have|use|introduce|add)(?:\s+(?:a|any))?)\s+" + _GATE
    + r"|" + _GATE + r"\s+(?:is|are|was|will\s+be)\s+(?:not|n't)\s+(?:needed|required|necessary|used|introduced)"
    r"|not\s+feature[\s-]?gated",
    re.I,
)
_GENERIC_NAMES = {"feature", "gate", "gates", "enabled", "disabled", "the", "a", "fg", "featuregate", "featuregates",
                  "name", "tbd", "none", "n/a"}


@dataclass
class GateStatus:
    """What the VEP says about its feature gate.

    Attributes:
        named: the gate's name, when one is named (front matter ``feature-gate`` or the body).
        named_line: 1-based file line where it is named.
        opt_out: (line, text) of sentences saying there is no feature gate.
        exempt: a process VEP (no feature gate expected; :attr:`VepDocument.is_process`).
    """

    named: str | None = None
    named_line: int | None = None
    opt_out: list[tuple[int, str]] = field(default_factory=list)
    exempt: bool = False

    @property
    def needs_review(self) -> bool:
        """Run the feature-gate justification reviewer: not a process VEP and no gate named."""
        return not self.exempt and self.named is None


def gate_status(doc, template=None) -> GateStatus:
    """Find the feature gate of ``doc`` (a :class:`agent.document.VepDocument`); ``template``
    (:class:`agent.template.Template`, default: the bundled one) helps VEP501 find the
    Graduation Requirements section. Never raises."""
    try:
        from agent.rules.vep501_feature_gate_missing import gate_facts

        if template is None:
            from agent.template import load_template

            template = load_template(None)
        facts = gate_facts(doc, template)
        status = GateStatus(exempt=bool(doc.is_process or doc.info.is_template))
        named = facts.front_matter or (facts.body[0] if facts.body else None)
        if named is not None:
            status.named, status.named_line = named.name, named.line
        status.opt_out = [(o.line, " ".join(o.text.split())[:240]) for o in facts.opt_outs]
        return status
    except Exception:  # noqa: BLE001 - VEP501 absent or changed: use the simple heuristics
        return simple_gate_status(doc)


def simple_gate_status(doc) -> GateStatus:
    """The fallback heuristics (no dependency on the deterministic rules). Never raises."""
    status = GateStatus(exempt=bool(doc.is_process or doc.info.is_template))
    fm = doc.front_matter
    if fm is not None and fm.error is None:
        value = fm.get("feature-gate")
        if isinstance(value, str) and value.strip() and value.strip().lower() not in _GENERIC_NAMES:
            status.named, status.named_line = value.strip(), fm.line_of("feature-gate")
    lines = sanitize(doc.text).split("\n")
    in_gates_list = False
    for number, line in enumerate(lines, start=1):
        if fm is not None and fm.end_line is not None and number <= fm.end_line:
            continue
        if _OPT_OUT_RE.search(line):
            status.opt_out.append((number, " ".join(line.split())[:240]))
        if status.named is None:
            following = lines[number] if number < len(lines) else ""
            name = _named_in(line + " " + following.strip())
            if name is None and in_gates_list:
                m = re.match(r"\s*-\s*(?:name:\s*)?\"?([A-Z][A-Za-z0-9]+)\"?\s*$", line)
                name = m.group(1) if m else None
            if name is not None:
                status.named, status.named_line = name, number
        if re.search(r"featureGates\s*:\s*$", line):
            in_gates_list = True
        elif line.strip() and not line.lstrip().startswith("-"):
            in_gates_list = False
    return status


def _named_in(line: str) -> str | None:
    for rx in _NAMED_RES:
        for m in rx.finditer(line):
            name = m.group(1)
            if name.lower() not in _GENERIC_NAMES and len(name) > 2:
                return name
    return None
