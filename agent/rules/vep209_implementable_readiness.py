"""An ``implementable`` VEP names its reviewers, approvers, stage and target milestone.

**What it checks.** When ``status: implementable``:

- ``reviewers`` and ``approvers`` are present, not empty and name people: no ``TBD`` (or
  ``TBA``) entry is left;
- ``stage`` is set (not for process VEPs: meta-VEPs, which docs/vep-governance.md exempts
  from ``feature-gate`` and ``stage`` "since they describe process changes rather than
  features", and VEPs that say they are a process or policy change);
- ``milestone.<stage>`` names a release ``vX.Y``: the milestone of the stage the VEP is
  being tracked for, ``milestone.alpha`` when ``stage`` is not set. For a process VEP without
  a ``stage``, any of ``milestone.alpha``/``beta``/``ga`` naming a release will do (a process
  change may target GA directly, as meta-VEP 282 does).

One finding per missing thing, at the key's line (the first ``TBD`` entry for reviewers and
approvers; the opening ``---`` when the key is absent). A ``stage`` or milestone value that is
malformed rather than missing is VEP206's; ``feature-gate`` is checked by the feature gate
rules.

The governance documents' table asks for ``milestone.alpha``. This rule asks for
``milestone.<stage>`` instead, on purpose: a VEP moved to ``implementable`` to graduate to
beta (or GA) is tracked for the release of that stage, so that is the milestone the release
team and the VEP Freeze check need; for a new feature (``stage: alpha``, or no stage) it is
``milestone.alpha``, exactly as the table says.

**Why.** docs/vep-governance.md, "The provisional -> implementable Gate" and "Field Rules by
Status"; meta-VEP 282, "CI Enforcement": "If ``status: implementable``: no ``TBD`` in
``reviewers`` or ``approvers``; ``milestone.alpha`` set". Named reviewers and approvers are
"the formal signal that the project has the capacity and commitment to work on the VEP
during the targeted release"; the milestone is the release the VEP is tracked for.

**Anti-pattern.** ``status: implementable`` with ``reviewers: [TBD]``, or with
``stage: beta`` and only ``milestone: {alpha: "v1.8"}``.

**Best practice.** Before moving to ``implementable``, have the SIG assign reviewers and
approvers, set ``stage`` and the matching ``milestone`` entry: ``stage: beta``,
``milestone: {alpha: "v1.8", beta: "v1.9"}``.
"""

from agent.rules import Problem
from agent.rules.vep206_field_value import STAGES, is_empty, is_tbd, item_line, usable, version

ID = "VEP209"
NAME = "implementable-readiness"
SEVERITY = "error"
SOURCE = ("docs/vep-governance.md, The provisional -> implementable Gate and Field Rules by Status; "
          "meta-VEP 282, CI Enforcement")
FIX = "Complete the front matter before moving the VEP to implementable, or keep it provisional."


def _people(fm, key):
    value = fm.get(key)
    if key not in fm.data:
        yield Problem(f"`status: implementable` needs named {key}, but the front matter has no `{key}` field.",
                      line=fm.start_line, fix=f'Add `{key}:` with the GitHub handles the SIG assigned: `- "@name"`.')
        return
    if is_empty(value):
        yield Problem(f"`status: implementable` needs named {key}, but `{key}` is empty.", line=fm.line_of(key),
                      fix='List the GitHub handles the SIG assigned: `- "@name"`.')
        return
    entries = value if isinstance(value, list) else [value]
    pending = [i for i, e in enumerate(entries) if is_tbd(e) or (isinstance(e, str) and not e.strip()) or e is None]
    if pending:
        line = item_line(fm, key, pending[0]) if isinstance(value, list) else fm.line_of(key)
        what = "a `TBD` entry" if len(pending) == 1 else f"{len(pending)} `TBD` entries"
        yield Problem(f"`status: implementable` needs named {key}, but `{key}` still has {what}.", line=line,
                      fix="Replace TBD with the GitHub handles the SIG assigned, or keep `status: provisional`.")


def check(doc, ctx):
    fm = usable(doc)
    if fm is None or doc.info.is_template:
        return
    status = fm.get("status")
    if not isinstance(status, str) or status.strip().lower() != "implementable":
        return
    yield from _people(fm, "reviewers")
    yield from _people(fm, "approvers")

    stage = fm.get("stage")
    stage_text = stage.strip().lower() if isinstance(stage, str) else None
    if is_empty(stage) and not doc.is_process:
        yield Problem("`status: implementable` needs the `stage` the VEP is tracked for, but `stage` is not set.",
                      line=fm.line_of("stage"), fix="Set `stage: alpha` (or beta, or ga: the stage being implemented).")
    if stage_text is not None and stage_text not in STAGES and not is_empty(stage):
        return  # malformed stage: VEP206; the milestone to ask for is unknown

    milestone = fm.get("milestone")
    if not is_empty(milestone) and not isinstance(milestone, dict):
        return  # wrong type: VEP206
    milestone = milestone if isinstance(milestone, dict) else {}
    if doc.is_process and is_empty(stage):
        if any(version(v) for v in milestone.values()):
            return
    target = stage_text if stage_text in STAGES else "alpha"
    value = milestone.get(target)
    key = f"milestone.{target}"
    if is_empty(value) or is_tbd(value):
        said = "is not set" if is_empty(value) else f"is `{value.strip()}`"
        yield Problem(f"`status: implementable` needs the release the VEP is tracked for, but `{key}` {said}.",
                      line=fm.line_of(key), fix=f'Set `{key}` to the targeted release, e.g. `{target}: "v1.9"`.')
