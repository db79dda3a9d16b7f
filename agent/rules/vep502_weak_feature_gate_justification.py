"""A VEP without a feature gate justifies it only with reasons the policy calls weak.

**What it checks.** For a VEP that names no feature gate and opts out with a reason (see
VEP501 for how opt-outs and their reasons are found: the opt-out paragraph, the next one and,
for a VEP that goes straight to GA, its Graduation Requirements section), the reasons are
compared with docs/feature-lifecycle.md, "Can a VEP choose to not include a feature gate?":

- weak ("considered as weak reasons for avoiding a feature gate"): *it is a simple change*
  (simple, small, trivial, straightforward, minor, limited scope, low risk, "does not pose a
  significant risk"); *it is off by default, hence safe* (off/disabled by default, opt-in,
  optional); *it keeps backward compatibility* (backward compatible, no API break, existing
  VMs unaffected);
- possibly acceptable ("demand specific discussion"): *it is basically impossible to keep
  both the old and the new living in harmony* (impossible, cannot coexist, "doesn't make
  sense to create a feature gate"); *reshaping an existing feature in a relatively simple
  way* (reshape, rework of an existing feature, "no new functionality", "a new way to
  configure existing behavior"); *logic under an existing gate* (behind/under the existing
  … gate).

A **warning** is given when at least one weak reason is found and no acceptable one, pointing
at the line of the first weak reason and quoting its sentence. Reasons the policy classifies
neither way (a bug fix, a transparent change, no user-facing change, not a feature, a process
change) silence the rule: they need a reviewer's judgement, not a pattern. Process VEPs (meta-VEPs,
and VEPs that say they are a process or policy change) and the template are not checked; VEPs that name a gate are VEP501's business, not this rule's.

It is a warning, not an error, because even the acceptable reasons "demand specific
discussion" and the policy allows exceptions with maintainer agreement: the finding asks for
that discussion rather than blocking the VEP, and the wording of a reason is matched
literally, so a strong argument phrased with a weak word ("a simple consequence of …") can be
flagged.

**Why.** docs/feature-lifecycle.md: "the VEP author has to provide a strong reasoning and
justification", and "Generally, avoiding a feature gate is expected to be rare."
docs/vep-writing-guide.md, Graduation Requirements: "Skipping Alpha, or omitting a Feature
Gate, needs strong explicit justification."

**Anti-pattern.** "Due to the limited functional scope it should be acceptable to add the
feature in a single lifecycle phase without a feature gate." or "The change is backward
compatible and optional, so it graduates directly to GA."

**Best practice.** Add a gate, or give a reason the policy accepts, e.g. "This VEP adds logic
under the existing `VSOCK` feature gate" or "The old and new naming schemes cannot coexist in
one virt-launcher, so a gate could not switch between them."
"""

from __future__ import annotations

from agent.rules import Problem
from agent.rules.vep501_feature_gate_missing import (
    ACCEPTABLE_REASONS,
    OTHER_REASONS,
    WEAK_REASONS,
    front_matter_gate,
    gate_facts,
    sentence_at,
)

ID = "VEP502"
NAME = "weak-feature-gate-justification"
SEVERITY = "warning"
SOURCE = "docs/feature-lifecycle.md, Feature Gates (Can a VEP choose to not include a feature gate?)"
FIX = ("Add a feature gate, or give a reason the policy accepts: old and new cannot coexist, the VEP reshapes an "
       "existing feature, or it adds logic under an existing gate.")


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check(doc, ctx):
    if doc.info.is_template or doc.is_process:
        return
    if front_matter_gate(doc) is not None:
        return  # a VEP with a gate has no opt-out to judge
    facts = gate_facts(doc, ctx.template)
    if facts.named or not facts.justified:
        return
    parts = [o.justification for o in facts.justified]
    joined = "\n".join(p.text for p in parts)
    if OTHER_REASONS.search(joined) or any(rx.search(joined) for rx in ACCEPTABLE_REASONS.values()):
        return
    first = None  # (line, sentence)
    kinds = []
    for kind, rx in WEAK_REASONS.items():
        for part in parts:
            m = rx.search(part.text)
            if m:
                kinds.append(kind)
                line = part.line_at(m.start())
                if first is None or line < first[0]:
                    first = (line, sentence_at(part.text, m.start(), m.end()))
                break
    if first is None:
        return
    line, sentence = first
    yield Problem(
        f"The reasons given for having no feature gate are ones docs/feature-lifecycle.md calls weak "
        f"({'; '.join(kinds)}): \"{_short(sentence)}\".",
        line=line,
    )
