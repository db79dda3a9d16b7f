"""A VEP that targets Beta says what makes its feature safe to be on by default.

**What it checks.** A VEP that targets Beta must have a non-empty "On-By-Default Readiness"
section (the template's ``#### On-By-Default Readiness`` under ``### Beta``; any heading level,
and a heading that mentions "on by default" or "enabled by default" is accepted). A VEP
targets Beta when:

- its front matter says ``stage: beta``, or names a release in ``milestone.beta`` (unless
  ``stage: ga``: the Beta step is behind it); or
- it has no front matter and the body says "This VEP targets beta for version: vX.Y" with a
  release filled in (not empty, ``TBD``, ``N/A``, not struck through).

Meta-VEP 229 turns Beta gates on by default "from v1.9 onwards", so a VEP whose Beta release is
known to be before v1.9 is not checked. Empty means what VEP402 means: nothing but headings,
comments and template text. Process VEPs (meta-VEPs, and VEPs that say they are a process or policy change)
and the template are not checked. An **error** (a
warning on not-yet-migrated VEPs without front matter).

**Why.** Meta-VEP 229 (veps/meta-VEPs/229-beta-features-on-by-default): "From v1.9 onwards,
**every** beta feature gate will be on by default", with no way to disable that by default;
every CI run and every developer then exercises the feature. The template asks each VEP to
"specify what needs to be done in order for the VEP to be ready to be enabled by default", and
docs/vep-writing-guide.md: "state concretely what must be true for that to be safe (known
gaps closed, monitoring in place, a way to disable it if it misbehaves) — not just "it's
ready."" Users are affected at Beta without having opted in.

**Anti-pattern.** "This VEP targets beta for version: v1.10" and a ``### Beta`` list of
features, with nothing on what happens to clusters that get the feature switched on by the
upgrade.

**Best practice.** Under ``### Beta``, a ``#### On-By-Default Readiness`` list: the known
issues that must be closed, the metrics and alerts in place, the behaviour for existing VMs
when the gate turns on, and how an admin disables it (``DisabledFeatureGates``).
"""

from __future__ import annotations

import re

from agent.rules import Problem
from agent.rules.vep401_required_section import graduation_section, stage_marks
from agent.rules.vep601_target_release_mismatch import iter_body_targets, milestones, show

ID = "VEP405"
NAME = "on-by-default-readiness"
SEVERITY = "error"
LEGACY_SEVERITY = "warning"
SOURCE = ("meta-VEP 229 (veps/meta-VEPs/229-beta-features-on-by-default), Design; veps/NNNN-vep-template/vep.md, "
          "Graduation Requirements / Beta / On-By-Default Readiness")
FIX = "Add `#### On-By-Default Readiness` under `### Beta` saying what must be true before the gate is on by default."

#: Meta-VEP 229: Beta gates are on by default from this release on.
ON_BY_DEFAULT_SINCE = (1, 9)
_READINESS_RE = re.compile(r"\b(?:on|enabled)\s+by\s+default\b|\bdefault\s+enablement\b")


def beta_target(doc) -> tuple[bool, tuple[int, int] | None, int | None]:
    """Whether ``doc`` targets Beta: (targets, Beta release if known, line saying so)."""
    fm = doc.front_matter
    if fm is not None:
        if fm.error is not None or not isinstance(fm.data, dict):
            return False, None, None
        stage = fm.data.get("stage")
        stage = stage.strip().lower() if isinstance(stage, str) else ""
        beta = milestones(doc).get("beta")
        if stage == "beta":
            return True, beta[0] if beta else None, fm.line_of("stage")
        if beta is not None and stage != "ga":
            return True, beta[0], beta[2]
        return False, None, None
    for t in iter_body_targets(doc):
        if t.stage == "beta" and t.version is not None and not t.struck:
            return True, t.version, t.line
    return False, None, None


def readiness_section(doc):
    """The first heading about on-by-default readiness, or ``None``."""
    for s in doc.sections:
        if s.level > 1 and "default" in s.key and _READINESS_RE.search(s.key):
            return s
    return None


def check(doc, ctx):
    if doc.info.is_template or doc.is_process:
        return
    section = readiness_section(doc)
    if section is not None and not section.is_empty(ctx.template.placeholders):
        return  # filled in: what the VEP targets does not matter (and the body need not be read)
    targets, version, target_line = beta_target(doc)
    if not targets or (version is not None and version < ON_BY_DEFAULT_SINCE):
        return
    release = f" ({show(version)})" if version else ""
    if section is not None:  # there, but empty
        yield Problem(
            f"The VEP targets Beta{release} but its `{section.title}` section is empty.",
            line=section.line,
            fix="Say what must be true before the gate is on by default: known gaps closed, monitoring, "
                "behaviour for existing VMs, how to disable it.",
        )
        return
    grad = graduation_section(doc, ctx.template)
    line = target_line
    if grad is not None:
        marks = [m for m in stage_marks(doc, grad) if m.stage == "beta"]
        beta = next((m for m in marks if m.kind == "heading"), marks[0] if marks else None)
        line = beta.line if beta is not None else grad.line
    yield Problem(
        f"The VEP targets Beta{release}, when Beta gates are on by default, but has no On-By-Default "
        "Readiness section.",
        line=line,
    )
