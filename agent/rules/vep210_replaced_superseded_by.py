"""A ``replaced`` VEP says which VEP replaced it.

**What it checks.** With ``status: replaced``, ``superseded-by`` must be present and not
empty (a value that is not a VEP number is VEP206's). The other way round, a
``superseded-by`` that names a VEP while ``status`` is another (valid) state is a warning:
either the status was not updated or the field is stale.

**Why.** Meta-VEP 282, "CI Enforcement", Action 1: "If ``status: replaced``: ``superseded-by``
is non-empty"; docs/vep-governance.md, "Governance States": ``replaced`` means "Superseded by
another VEP", set "At replacement VEP merge". A reader who lands on a replaced VEP needs the
pointer to the one in force.

**Anti-pattern.** ``status: replaced`` with ``superseded-by: ""``.

**Best practice.** ``status: replaced`` and ``superseded-by: "412"``; the replacing VEP says
``replaces: "307"``.
"""

from agent.rules import Problem
from agent.rules.vep206_field_value import STATUSES, is_empty, usable, vep_number

ID = "VEP210"
NAME = "replaced-superseded-by"
SEVERITY = "error"
SOURCE = "meta-VEP 282, CI Enforcement (if status: replaced, superseded-by is non-empty); docs/vep-governance.md, Governance States"
FIX = "Set superseded-by to the number of the VEP that replaces this one."


def check(doc, ctx):
    fm = usable(doc)
    if fm is None or doc.info.is_template:
        return
    status = fm.get("status")
    status = status.strip() if isinstance(status, str) else None
    value = fm.get("superseded-by")
    if status == "replaced":
        if "superseded-by" not in fm.data:
            yield Problem("`status: replaced` needs `superseded-by`, but the front matter has no such field.",
                          line=fm.line_of("status"), fix='Add `superseded-by: "<number of the replacing VEP>"`.')
        elif is_empty(value):
            yield Problem("`status: replaced` needs `superseded-by` to name the replacing VEP, but it is empty.",
                          line=fm.line_of("superseded-by"))
    elif status in STATUSES and vep_number(value) is not None:
        yield Problem(f"`superseded-by` names VEP {vep_number(value)}, but `status` is `{status}`, not `replaced`.",
                      line=fm.line_of("superseded-by"), severity="warning",
                      fix="Set `status: replaced` if that VEP replaces this one; otherwise empty `superseded-by`.")
