"""A change does not remove the front matter a VEP already had.

**What it checks.** When a base version is given (``--base REF`` or ``--base-file PATH``)
and the VEP had a front matter block there, the checked version must still have one. This
is an error even for VEPs the other rules treat as legacy: once migrated, a VEP stays
migrated. (A block that is still there but no longer loads is VEP203's.)

**Why.** docs/vep-governance.md: the front matter "is the single source of truth for a VEP's
governance state; the tracking issue and any project boards should reflect it". Meta-VEP
282, "CI Enforcement": the validator checks on every PR that "front matter is present and
valid YAML"; its leniency for VEPs without front matter ("Update/Rollback Compatibility")
is for VEPs not yet migrated, not for undoing a migration. Dropping the block silently
erases status, reviewers, approvers and milestones.

**Anti-pattern.** A rebase or copy-paste from an old version of the VEP that loses the
``---`` block at the top.

**Best practice.** Keep the block and edit its fields; to end a VEP, change ``status`` to
``withdrawn``, ``rejected``, ``deferred`` or ``replaced``.
"""

from agent.rules import Problem

ID = "VEP202"
NAME = "front-matter-removed"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Overview (front matter is the single source of truth); meta-VEP 282, CI Enforcement"
FIX = "Restore the front matter block from the base version and edit its fields instead."


def check(doc, ctx):
    base = ctx.base
    if base is None or base.front_matter is None or doc.front_matter is not None:
        return
    status = base.front_matter.get("status") if base.front_matter.error is None else None
    had = f" (with `status: {status.strip()}`)" if isinstance(status, str) and status.strip() else ""
    yield Problem(f"The front matter block was removed: the base version had one{had}.", line=1)
