"""A change of ``status`` follows the proposal governance states.

**What it checks.** When a base version is given (``--base REF`` or ``--base-file PATH``)
and both the base and the checked version have a valid ``status`` in their front matter,
a changed status must be one of these transitions:

- ``provisional`` -> ``implementable``, ``deferred``, ``rejected``, ``withdrawn``, ``replaced``;
- ``implementable`` -> ``implemented``, ``deferred``, ``rejected``, ``withdrawn``, ``replaced``;
- ``implemented`` -> ``replaced``;
- nothing out of ``deferred``, ``rejected``, ``withdrawn`` or ``replaced``: they are terminal.

Anything else (skipping ``implementable``, going back, reviving a terminal VEP) is reported
at the ``status`` line of the checked version.

Not checked, on purpose:

- without a base there is no transition to check;
- a file that is new in the change (absent from the base) may start in any status, and so
  may a VEP whose base version has no front matter yet: that is a legacy VEP being migrated,
  and meta-VEP 282 ("Migration of Existing VEPs") has the SIG chairs choose its status
  (``implementable`` for tracked VEPs, ``implemented`` for GA features, ``provisional`` for
  proposals under discussion);
- a base or checked ``status`` that is missing or not one of the seven states (the front
  matter rules report that), and an unchanged status.

**Why.** Meta-VEP 282, "Proposal Governance States", and docs/vep-governance.md,
"Governance States": ``provisional -> implementable -> implemented`` is the normal
progression and ``implementable`` is the critical gate (named reviewers and approvers, a
target milestone, merged before the VEP Freeze). "CI Enforcement", Action 1: the status
transition from the base branch must be valid, with "no skipped states, no revival from
terminal states".

**Anti-pattern.** A PR that moves a ``provisional`` VEP straight to ``implemented``, or that
flips a ``deferred`` VEP back to ``implementable`` to squeeze it into the next release.

**Best practice.** Move one step at a time: get the design approved as ``implementable``
before the VEP Freeze, mark it ``implemented`` once the feature is GA, and pick up a
deferred, rejected or withdrawn proposal again with a new VEP (its own tracking issue).
"""

from agent.rules import Problem
from agent.rules.vep206_field_value import STATUSES

ID = "VEP301"
NAME = "status-transition"
SEVERITY = "error"
SOURCE = "meta-VEP 282, Proposal Governance States and CI Enforcement (Action 1: status transition from the base branch)"
FIX = "Restore the base status, or move to one of the states allowed from it."

#: The seven governance states (docs/vep-governance.md, "Governance States").
STATES = STATUSES

#: Terminal states: no transition out of them.
TERMINAL = frozenset({"deferred", "rejected", "withdrawn", "replaced"})

#: status -> statuses it may change to.
ALLOWED: dict[str, tuple[str, ...]] = {
    "provisional": ("implementable", "deferred", "rejected", "withdrawn", "replaced"),
    "implementable": ("implemented", "deferred", "rejected", "withdrawn", "replaced"),
    "implemented": ("replaced",),
    "deferred": (),
    "rejected": (),
    "withdrawn": (),
    "replaced": (),
}


def status_of(doc) -> str | None:
    """The document's ``status`` when it is one of :data:`STATES` (surrounding spaces
    ignored), else ``None``: no document, no or unreadable front matter, a missing status,
    or a value of another type or spelling."""
    fm = getattr(doc, "front_matter", None)
    if fm is None or fm.error is not None:
        return None
    value = fm.get("status")
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value in STATES else None


def check(doc, ctx):
    if not ctx.has_base or ctx.base is None or ctx.base.front_matter is None:
        return  # no base: nothing to compare; new file or legacy base: any initial status
    old, new = status_of(ctx.base), status_of(doc)
    if old is None or new is None or old == new:
        return
    allowed = ALLOWED[old]
    if new in allowed:
        return
    line = doc.front_matter.line_of("status")
    if old in TERMINAL:
        yield Problem(
            f"The status changes from `{old}` in the base version to `{new}`, but `{old}` is a terminal state: "
            f"no status may follow it (allowed targets: none).",
            line=line,
            fix=f"Restore `status: {old}`; to pick the proposal up again, open a new VEP with its own tracking issue.",
        )
        return
    progression = STATES[:3]
    if old == "provisional" and new == "implemented":
        skipped = " (it skips `implementable`)"
    elif new in progression and progression.index(new) < progression.index(old):
        skipped = " (a VEP does not move back)"
    else:
        skipped = ""
    yield Problem(
        f"The status changes from `{old}` in the base version to `{new}`, which is not an allowed transition{skipped}; "
        f"from `{old}` the allowed targets are {', '.join(allowed)}.",
        line=line,
        fix=f"Restore `status: {old}`, or move to one of: {', '.join(allowed)}.",
    )
