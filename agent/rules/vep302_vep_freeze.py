"""No VEP becomes ``implementable`` for a release, or is retargeted to it, after that
release's VEP Freeze, unless the PR has the ``freeze-exception`` label.

**What it checks.** With a base version (``--base REF`` / ``--base-file PATH``) and freeze
dates (``--schedules DIR``, a kubevirt/sig-release checkout; by default ``../sig-release``
beside the enhancements checkout), a change is reported when, on or after the VEP Freeze of
the targeted release (``--today`` on or after the freeze date), it

- **moves the VEP into ``implementable``**: the checked version says
  ``status: implementable`` and the base version does not, or the file is new in the change;
  the targeted release is ``milestone.<stage>``, with ``stage`` from the front matter
  (``alpha`` when absent or not alpha, beta or ga), reported at the ``status`` line; or
- **retargets an implementable VEP**: base and checked version are both ``implementable``
  and a ``milestone`` value changed (``milestone.alpha: v1.7`` -> ``v1.8``, or a
  ``milestone.beta`` added); each changed value is a targeted release, reported at its line.

Release values are read as ``vX.Y`` (``1.7`` and ``v1.7.0`` count as ``v1.7``); ``TBD`` and
other non-releases are not checked (the front matter rules require a milestone).

Outcomes:

- freeze passed, no label: **error**, naming the release, the freeze date and today's date;
- freeze passed, ``freeze-exception`` label: an **info** finding that records the exception
  (so that the PR comment shows which release it was granted for); nothing blocks;
- the base version has no front matter (a legacy VEP being migrated, meta-VEP 282
  "Migration of Existing VEPs") or front matter that cannot be read: a **warning** instead
  of the error, because the rule cannot tell whether the VEP was already tracked for that
  release before its freeze under the old process;
- the targeted release has no known freeze date: nothing when no schedules were given or
  found; an **info** finding when schedules were given but hold no VEP Freeze entry for that
  release (releases before v1.6 had none, and a future release may not be scheduled yet).

Not checked, on purpose: without a base version the rule cannot know what the change did
(the VEP may have been implementable for that release long before the freeze), so it says
nothing; editing an implementable VEP for other reasons after the freeze (text, reviewers,
moving to ``implemented`` or ``deferred``) is not blocked.

**Why.** Meta-VEP 282, "Proposal Governance States": the ``provisional -> implementable``
gate requires that "the merge happens before the VEP Freeze for that release"; "CI
Enforcement", Action 2 (VEP Freeze Enforcer): when a PR sets ``status: implementable`` and
names a milestone, the freeze date is the ``when`` of the "VEP Freeze" entry of
``kubevirt/sig-release`` ``releases/vX.Y/schedule.yaml``, and "if today >= freeze date:
blocks merge ... (a maintainer adds the ``freeze-exception`` label to bypass the block)".
A retarget of an implementable VEP is the same act for the new release: tracking it in a
release whose design deadline has passed.

**Anti-pattern.** Merging ``status: implementable`` with ``milestone.alpha: "v1.8"`` on
2026-01-20, two weeks after the v1.8 VEP Freeze (2026-01-07), or moving an accepted VEP's
``milestone.alpha`` from ``v1.9`` to ``v1.8`` after the v1.8 freeze.

**Best practice.** Get the design approved and merged before the freeze of the release it
targets (sig-release publishes the dates); when it misses the freeze, target the next
release, or ask the release team for an exception and have a maintainer add the
``freeze-exception`` label.
"""

import re

from agent.document import MAX_NUMBER_DIGITS
from agent.rules import Problem
from agent.rules.vep301_status_transition import status_of
from agent.schedules import release_key

ID = "VEP302"
NAME = "vep-freeze"
SEVERITY = "error"
SOURCE = "meta-VEP 282, Proposal Governance States (provisional -> implementable gate) and CI Enforcement (Action 2: VEP Freeze Enforcer)"
FIX = ("Retarget the milestone to the next release, or, if the release team grants an exception, "
       "have a maintainer add the freeze-exception label to the PR.")

#: The PR label that bypasses the freeze (meta-VEP 282, Action 2).
EXCEPTION_LABEL = "freeze-exception"
STAGES = ("alpha", "beta", "ga")

_RELEASE_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


def release_of(value) -> str | None:
    """A milestone value as ``"vX.Y"``: ``"v1.7"``, ``"1.7"``, ``"v1.7.0"`` -> ``"v1.7"``;
    anything else (``"TBD"``, ``None``, lists) -> ``None``."""
    if not isinstance(value, str):
        return None
    m = _RELEASE_RE.match(value.strip())
    if not m or len(m[1]) > MAX_NUMBER_DIGITS or len(m[2]) > MAX_NUMBER_DIGITS:
        return None  # VEP206 says that such a milestone is not a valid release
    return f"v{int(m[1])}.{int(m[2])}"


def _milestones(fm) -> dict:
    value = fm.get("milestone") if fm is not None and fm.error is None else None
    return value if isinstance(value, dict) else {}


def _stage(fm) -> str:
    value = fm.get("stage")
    value = value.strip().lower() if isinstance(value, str) else ""
    return value if value in STAGES else "alpha"


def _next_open_release(release: str, ctx) -> str:
    """The first release after ``release`` whose VEP Freeze is not known to have passed."""
    key = release_key(release)
    if key is None:  # pragma: no cover - release_of() always gives vX.Y
        return "the next release"
    major, minor = key
    for _ in range(100):
        minor += 1
        candidate = f"v{major}.{minor}"
        freeze = ctx.freezes.get(candidate)
        if freeze is None or ctx.today < freeze:
            return candidate
    return "the next release"  # pragma: no cover


def _targets(doc, ctx):
    """(kind, milestone key, release, base status) of what the change targets; kind is
    ``"enter"`` (moved into implementable), ``"legacy"`` (base without readable front
    matter) or ``"retarget"``."""
    fm = doc.front_matter
    base = ctx.base
    current = _milestones(fm)
    if base is None:
        kind, old_status = "enter", None
    elif base.front_matter is None or base.front_matter.error is not None:
        kind, old_status = "legacy", None
    else:
        raw = base.front_matter.get("status")
        old_status = raw.strip() if isinstance(raw, str) else None
        kind = "retarget" if (old_status or "").lower() == "implementable" else "enter"
    if kind != "retarget":
        key = _stage(fm)
        release = release_of(current.get(key))
        if release is not None:
            yield kind, f"milestone.{key}", release, old_status
        return
    before = _milestones(base.front_matter)
    for key, value in current.items():
        release = release_of(value)
        if release is not None and release != release_of(before.get(key)):
            yield "retarget", f"milestone.{key}", release, before.get(key)


def check(doc, ctx):
    if not ctx.has_base or status_of(doc) != "implementable":
        return  # without a base the change is unknown; only changes to implementable VEPs matter
    fm = doc.front_matter
    labels = {str(label).strip().lower() for label in ctx.labels or ()}
    today = ctx.today
    for kind, key, release, old in _targets(doc, ctx):
        line = fm.line_of(key) if kind == "retarget" else fm.line_of("status")
        freeze = ctx.freezes.get(release)
        if freeze is None:
            if ctx.schedules is not None or ctx.freezes:
                yield Problem(
                    f"The VEP Freeze for {release} could not be checked: the release schedules have no "
                    f"VEP Freeze entry for {release}.",
                    line=line, severity="info",
                    fix=f"Check the VEP Freeze date of {release} in kubevirt/sig-release "
                        f"(releases/{release}/schedule.yaml) before merging.",
                )
            continue
        if today < freeze:
            continue
        dates = f"{freeze:%Y-%m-%d}; today is {today:%Y-%m-%d}"
        if kind == "retarget":
            was = f"`{old}`" if isinstance(old, str) and old.strip() else "unset"
            act = f"Retargeting {key} of this implementable VEP from {was} to {release}"
        elif kind == "legacy":
            act = f"Adding front matter with `status: implementable` for {release} ({key})"
        elif ctx.base is None:
            act = f"Adding this VEP as `implementable` for {release} ({key})"
        else:
            act = f"Moving this VEP from `{old or 'no valid status'}` to `implementable` for {release} ({key})"
        nxt = _next_open_release(release, ctx)
        if EXCEPTION_LABEL in labels:
            yield Problem(
                f"{act} comes after the VEP Freeze of {release} ({dates}) and is let through by the "
                f"{EXCEPTION_LABEL} label.",
                line=line, severity="info",
                fix="Make sure the release team has granted the exception before merging.",
            )
        elif kind == "legacy":
            yield Problem(
                f"{act} comes after the VEP Freeze of {release} ({dates}), and a base version without front matter does "
                f"not show whether the VEP was already tracked for {release}.",
                line=line, severity="warning",
                fix=f"If the VEP was tracked for {release} before its freeze, have a maintainer add the "
                    f"{EXCEPTION_LABEL} label; otherwise set {key} to {nxt}.",
            )
        else:
            yield Problem(
                f"{act} is too late: the VEP Freeze of {release} began on {freeze:%Y-%m-%d} and today is "
                f"{today:%Y-%m-%d}.",
                line=line,
                fix=f"Set {key} to {nxt} (the next release whose VEP Freeze has not passed), or, if the release "
                    f"team grants an exception, have a maintainer add the {EXCEPTION_LABEL} label to the PR.",
            )
