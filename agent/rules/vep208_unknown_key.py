"""The front matter uses only the schema's keys.

**What it checks.** Each top-level key outside the VEP-282 schema: ``title``,
``vep-number``, ``creation-date``, ``status``, ``authors``, ``owning-sig``,
``participating-sigs``, ``reviewers``, ``approvers``, ``feature-gate``, ``stage``,
``milestone``, ``replaces``, ``superseded-by``. Reported at the key's line with the closest
schema key (difflib) or, for the fields of a Kubernetes ``kep.yaml``, the VEP field that
takes their place. Keys under ``milestone`` are VEP206's.

``last-updated`` (a KEP field) is not in the schema and no VEP uses it: git history records
when a VEP changed.

**Why.** docs/vep-governance.md, "Front Matter Schema". A misspelled key (``vep_number``,
``owning_sig``, ``reviewer``) is a field the governance CI and the release team never see,
while the real field is then missing; a field of the author's own invention is metadata
nobody maintains.

**Anti-pattern.** ``kep-number: 307``, ``owner-sig: sig-network``, ``target: v1.9``.

**Best practice.** Use the schema's key names exactly; put anything else in the VEP body.
"""

from agent.rules import Problem
from agent.rules.vep206_field_value import closest

ID = "VEP208"
NAME = "unknown-key"
SEVERITY = "warning"
SOURCE = "docs/vep-governance.md, Front Matter Schema"
FIX = "Rename the key to the schema's name, or move the information into the VEP body."

#: The top-level keys of the schema, in schema order.
SCHEMA_KEYS = ("title", "vep-number", "creation-date", "status", "authors", "owning-sig", "participating-sigs",
               "reviewers", "approvers", "feature-gate", "stage", "milestone", "replaces", "superseded-by")

#: Kubernetes kep.yaml fields -> the VEP field that replaces them (None: no counterpart).
KEP_FIELDS = {
    "kep-number": "vep-number", "latest-milestone": "milestone",
    "feature-gates": "feature-gate", "last-updated": None, "see-also": None, "prr-approvers": None,
    "editor": None, "disable-supported": None, "metrics": None,
}


def check(doc, ctx):
    fm = doc.front_matter
    if fm is None or fm.error is not None:
        return
    for key in fm.data:
        if key in SCHEMA_KEYS:
            continue
        name = str(key)
        line = fm.line_of(name) if "." not in name else fm.start_line
        if name in KEP_FIELDS:
            target = KEP_FIELDS[name]
            if target is None:
                yield Problem(f"`{name}` is a Kubernetes KEP field, not a field of the VEP front matter.", line=line,
                              fix=f"Remove `{name}`; put what it says in the VEP body if it matters.")
                continue
            guess = target
        else:
            guess = closest(name.replace("_", "-").replace(" ", "-"), SCHEMA_KEYS)
        if guess is None:
            yield Problem(f"`{name}` is not a field of the VEP front matter schema.", line=line,
                          fix=f"Remove `{name}`, or move what it says into the VEP body.")
        elif guess in fm.data:
            yield Problem(f"`{name}` is not a field of the VEP front matter schema (did you mean `{guess}`, which "
                          f"is already set at line {fm.line_of(guess)}?).", line=line, fix=f"Remove `{name}`.")
        else:
            yield Problem(f"`{name}` is not a field of the VEP front matter schema (did you mean `{guess}`?).",
                          line=line, fix=f"Rename it to `{guess}`.")
