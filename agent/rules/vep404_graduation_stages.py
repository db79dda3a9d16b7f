"""Graduation Requirements has an Alpha, a Beta and a GA stage.

**What it checks.** The Graduation Requirements section (or the older template's "Feature
lifecycle Phases", or an "Implementation Phases" section holding the stages, at any heading
level) labels each of the three stages of docs/feature-lifecycle.md. A stage is labelled by:

- a heading inside the section that names it: ``### Alpha``, ``### Alpha (v1.7)``,
  ``### Alpha2 (v1.8)``, ``### Beta / GA (future)``, ``### GA``, ``### General
  Availability``; or a heading at the section's own level right after it (``## Beta`` after
  ``## Graduation Requirements``);
- a bold label at the start of a line: ``**Alpha:**``, ``- **Beta (v1.9):**``;
- a list item or line that starts with the stage and a colon or dash: ``- GA: …``.

A stage named only inside a sentence ("graduate to Beta once stable") does not count. An
empty ``### Beta`` heading counts as the stage being there (the template ships them empty
until requirements are known: "It is not necessary to have all the requirements for all
stages in the initial VEP"); an entirely empty section is VEP402's.

Stages the VEP explicitly skips are not required:

- all three, when the VEP says it goes straight to GA, or names no gate and says it has none
  (the opt-outs of VEP501: "graduating directly to GA", "jump straight to GA", "in a single lifecycle
  phase", "does not have graduation phases guarded by a feature gate", "does not require a
  feature gate because …", or a GA-only section that gives a reason): without a gate there
  are no Alpha and Beta (docs/feature-lifecycle.md, "Release Stage Transition Table": F.Gate
  YES for both), and the section then holds the GA requirements without needing a GA label;
- a stage whose target line is struck through (``- ~This VEP targets alpha for version:~``)
  or that is said to be skipped ("Alpha is skipped", "skipping Alpha", "Beta: skipped").

Process VEPs are exempt (meta-VEPs, and VEPs that say they are a process or policy change:
they describe process, not features; docs/vep-governance.md). A missing
section is VEP401's, not this rule's. An **error** (a warning on not-yet-migrated VEPs
without front matter).

**Why.** docs/feature-lifecycle.md, "Feature Stages" and "Graduation phases": a feature moves
Alpha → Beta → GA, each step needing a VEP update that names the release; the template's
Graduation Requirements has ``### Alpha``, ``### Beta`` and ``### GA``. Reviewers and the
release team check each stage's criteria before approving a graduation; a VEP without a Beta
stage gives them nothing to check the Beta bump against. docs/vep-writing-guide.md: "Each
stage's criteria must be objective and independently verifiable".

**Anti-pattern.** A Graduation Requirements section with a paragraph "We will graduate to
beta once users are happy" and no stage subsections, or Alpha and GA with Beta left out.

**Best practice.** ``### Alpha``, ``### Beta`` (with ``#### On-By-Default Readiness``) and
``### GA`` subsections, each with a checklist of verifiable criteria.
"""

from __future__ import annotations

import re

from agent.rules import Problem
from agent.rules.vep401_required_section import graduation_section, stage_marks
from agent.rules.vep501_feature_gate_missing import body_text, gate_facts, has_reason

ID = "VEP404"
NAME = "graduation-stages"
SEVERITY = "error"
LEGACY_SEVERITY = "warning"
SOURCE = ("docs/feature-lifecycle.md, Feature Stages and Graduation phases; veps/NNNN-vep-template/vep.md, "
          "Graduation Requirements")
FIX = "Add `### Alpha`, `### Beta` and `### GA` subsections with the requirements of each stage."

_STAGES = ("alpha", "beta", "ga")
_LABELS = {"alpha": "Alpha", "beta": "Beta", "ga": "GA"}
_STRUCK_TARGET_RE = re.compile(r"~~?\s*This\s+VEP\s+targets?\s+(alpha|beta|ga)\b[^~]*~", re.I)
_SKIPPED_RES = [
    re.compile(r"\b(alpha|beta)\s+(?:phase\s+|stage\s+)?(?:is|was|will\s+be|gets)\s+skipped\b", re.I),
    re.compile(r"\bskip(?:s|ping|ped)?\s+(?:the\s+)?(alpha|beta)\b", re.I),
    re.compile(r"\bwithout\s+an?\s+(alpha|beta)\s+(?:phase|stage)\b", re.I),
    # (``\W*+`` stands for the old ``\W*\s*:?\s*``, which was cubic on "Alpha" + spaces + "x")
    re.compile(r"^\W*+(alpha|beta)\W*+(?:n/?a|skipped)\b", re.I),
]


def not_required(doc, template) -> set[str]:
    """Stages whose label ``doc`` does not need (see the rule's documentation): all three
    for a VEP without a gate or going straight to GA, else the stages it says it skips."""
    facts = gate_facts(doc, template)
    for o in facts.opt_outs:
        # a graduation section with GA alone reads as "straight to GA" only for a VEP without
        # a gate: a gated feature goes through alpha and beta (feature-lifecycle.md)
        if o.implicit and (facts.named or not has_reason(o.justification.text)):
            continue
        if o.direct_ga or not facts.named:  # "no feature gate" while naming one is not an opt-out
            return set(_STAGES)
    skipped: set[str] = set()
    for p in body_text(doc).paragraphs:
        if "~" in p.text:
            for m in _STRUCK_TARGET_RE.finditer(p.text):
                skipped.add(m.group(1).lower())
        lower = p.text.lower()
        if "alpha" not in lower and "beta" not in lower:
            continue  # every skip phrase names the stage
        for raw in p.text.split("\n"):
            for rx in _SKIPPED_RES:
                for m in rx.finditer(raw):
                    skipped.add(m.group(1).lower())
    return skipped


def check(doc, ctx):
    if doc.info.is_template or doc.is_process:
        return
    grad = graduation_section(doc, ctx.template)
    if grad is None:
        return
    present = {m.stage for m in stage_marks(doc, grad)}
    missing = [s for s in _STAGES if s not in present]
    if not missing:
        return
    skipped = not_required(doc, ctx.template)
    missing = [s for s in missing if s not in skipped]
    if not missing:
        return
    names = [_LABELS[s] for s in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    plural = "stage" if len(names) == 1 else "stages"
    yield Problem(
        f"The `{grad.title}` section has no {listed} {plural}.",
        line=grad.line,
        fix=f"Add {', '.join(f'`### {n}`' for n in names)} with the requirements of each stage, or say "
            f"explicitly that the VEP skips {'it' if len(names) == 1 else 'them'} and why.",
        section=grad.title,
    )
