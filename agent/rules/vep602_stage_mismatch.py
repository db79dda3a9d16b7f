"""The front matter's ``stage`` agrees with the milestones, the status and the history.

**What it checks.** In a VEP with front matter whose ``stage`` is ``alpha``, ``beta`` or
``ga`` (other values are the front matter schema rules' business; process VEPs, meta-VEPs
among them, are exempt from ``stage``), each of these is an **error** at the ``stage`` line:

1. ``stage: beta`` or ``stage: ga`` without a release in ``milestone.beta`` /
   ``milestone.ga`` (missing, empty, ``TBD``): a feature only reaches a stage in a release,
   and the VEP update that names that release is the graduation step
   (docs/feature-lifecycle.md, "Feature Stages" 7 and 9). ``stage: alpha`` without
   ``milestone.alpha`` is not reported: the schema's template value is ``stage: alpha`` and a
   provisional VEP may leave ``milestone.alpha`` out (docs/vep-governance.md, "Field Rules by
   Status").
2. ``stage: ga`` with ``status: provisional``: the design is not even approved, so the feature
   cannot be generally available.
3. ``status: implemented`` with ``stage`` other than ``ga``: "implemented" means "Feature has
   reached GA; VEP is complete" (docs/vep-governance.md, "Governance States").
4. ``stage`` earlier than a stage the body says the feature already graduated to: a line of
   Implementation History (the "dated log of actual milestones") saying it was promoted,
   graduated, moved or bumped to Beta or GA ("2025-10-28: Promoted `VideoConfig` feature gate
   from Alpha to Beta"). A later-stage milestone alone is **not** reported: ``milestone.beta``
   next to ``stage: alpha`` is how a VEP plans its Beta release.

**Why.** docs/vep-governance.md: the front matter "is the single source of truth for a VEP's
governance state"; ``stage`` is "current implementation stage". The release team, tracking
boards and readers take ``stage`` at its word; a ``stage`` that contradicts the milestones,
the status or the VEP's own history misreports where the feature is.

**Anti-pattern.** ``stage: beta`` with ``milestone: {alpha: "v1.7"}`` only; or
``status: implemented`` with ``stage: beta``; or ``stage: alpha`` while Implementation History
records "Promoted to Beta".

**Best practice.** Update ``stage``, ``milestone.<stage>`` and Implementation History in the
same PR when the feature graduates.
"""

from __future__ import annotations

import re

from agent.document import blank_comments
from agent.rules import Problem
from agent.rules.vep601_target_release_mismatch import milestones

ID = "VEP602"
NAME = "stage-mismatch"
SEVERITY = "error"
SOURCE = ("docs/vep-governance.md, Front Matter Schema (stage, milestone) and Governance States; "
          "docs/feature-lifecycle.md, Feature Stages")
FIX = "Set `stage` to the stage the feature has reached and name that stage's release in `milestone`."

_ORDER = {"alpha": 0, "beta": 1, "ga": 2}
_LABEL = {"alpha": "alpha", "beta": "beta", "ga": "GA"}
_HISTORY_KEYS = {"implementation history", "implementation phases"}
_GRADUATED_RE = re.compile(
    r"\b(?:promot|graduat|mov|bump|transition)\w*\b[^.\n]*?\bto\s+(?:the\s+)?"
    r"(?P<stage>beta|GA\b|general\s+availability)",
    re.I)


def _text(value) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def graduated_to(doc) -> tuple[str, int] | None:
    """The latest stage Implementation History says the feature graduated to, with the line
    saying so; ``None`` when it says none."""
    best = None
    for s in doc.sections:
        if s.key not in _HISTORY_KEYS:
            continue
        text = blank_comments(s.body)
        for offset, raw in enumerate(text.split("\n")):
            for m in _GRADUATED_RE.finditer(raw):
                word = m.group("stage").lower()
                stage = "beta" if word == "beta" else "ga"
                if best is None or _ORDER[stage] > _ORDER[best[0]]:
                    best = (stage, s.line + 1 + offset)
    return best


def check(doc, ctx):
    fm = doc.front_matter
    if doc.info.is_template or doc.is_process or fm is None or fm.error is not None or not isinstance(fm.data, dict):
        return
    stage = _text(fm.data.get("stage"))
    if stage not in _ORDER:
        return
    status = _text(fm.data.get("status"))
    line = fm.line_of("stage")
    label = _LABEL[stage]
    planned = milestones(doc)
    if stage in ("beta", "ga") and stage not in planned:
        yield Problem(
            f"The front matter says stage {label} but milestone.{stage} names no release.",
            line=line,
            fix=f"Set `milestone.{stage}` to the release the feature reached {label} in, or correct `stage`.",
        )
    if stage == "ga" and status == "provisional":
        yield Problem(
            "The front matter says stage GA while the status is still provisional.",
            line=line,
            fix="Correct `stage` to the stage the feature has reached, or move `status` on once the design is "
                "approved.",
        )
    if status == "implemented" and stage != "ga":
        yield Problem(
            f"The front matter says status implemented, which means the feature reached GA, but stage is {label}.",
            line=line,
            fix="Set `stage: ga` (with `milestone.ga`), or set `status` back to implementable until GA.",
        )
    graduated = graduated_to(doc)
    if graduated is not None and _ORDER[graduated[0]] > _ORDER[stage]:
        later = _LABEL[graduated[0]]
        yield Problem(
            f"The front matter says stage {label} but Implementation History (line {graduated[1]}) says the feature "
            f"graduated to {later}.",
            line=line,
            fix=f"Set `stage: {graduated[0]}` and `milestone.{graduated[0]}`, or correct the history.",
        )
