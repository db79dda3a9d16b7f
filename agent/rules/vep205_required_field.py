"""The front matter has every required field, with a value.

**What it checks.** That ``title``, ``vep-number``, ``creation-date``, ``status``,
``authors``, ``owning-sig``, ``reviewers`` and ``approvers`` are present and not empty
(``None``, ``""``, ``[]`` and ``{}`` count as empty). A missing field is reported at the
opening ``---``, an empty one at its key; one finding per field. A field that is missing
because it is misspelled says so (the misspelling itself is VEP208's). Whether the values
are well-formed is VEP206's; ``reviewers: [TBD]`` counts as filled in here (VEP209 asks for
names once the VEP is ``implementable``). ``feature-gate`` is not on the list: the schema lets
a VEP omit it with a justification in the body (the feature gate rules check that). The VEP
template is not checked.

**Why.** docs/vep-governance.md, "Front Matter Schema" and "Field Rules by Status"
(``vep-number`` "required" in every state), meta-VEP 282, "CI Enforcement", Action 1: "All
required fields exist and have valid values". ``reviewers`` and ``approvers`` exist from the
first PR, as ``TBD`` until the SIG triages the proposal ("Getting Reviewers").

**Anti-pattern.** A block without ``owning-sig``, ``vep-number: #307`` (``#`` starts a YAML
comment, so the value is empty), ``reviewers: []``.

**Best practice.** Fill in every field of the schema block; write ``TBD`` for reviewers and
approvers not yet assigned.
"""

import re

from agent.rules import Problem
from agent.rules.vep206_field_value import closest, is_empty
from agent.rules.vep208_unknown_key import SCHEMA_KEYS

ID = "VEP205"
NAME = "required-field"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Front Matter Schema and Field Rules by Status; meta-VEP 282, CI Enforcement"
FIX = "Add the field with a value, as in the schema of docs/vep-governance.md."

#: Required field -> an example value for the fix.
REQUIRED = {
    "title": "Short descriptive title",
    "vep-number": "<tracking issue number>",
    "creation-date": '"YYYY-MM-DD"',
    "status": "provisional",
    "authors": '["@github-handle"]',
    "owning-sig": "sig-<name>",
    "reviewers": "[TBD]",
    "approvers": "[TBD]",
}


def _example(key, doc):
    if key == "vep-number" and doc.info.number is not None:
        return str(doc.info.number)
    if key == "owning-sig" and doc.info.sig_dir and doc.info.sig_dir.startswith("sig-"):
        return doc.info.sig_dir
    return REQUIRED[key]


def check(doc, ctx):
    fm = doc.front_matter
    if fm is None or fm.error is not None or doc.info.is_template:
        return
    for key in REQUIRED:
        example = _example(key, doc)
        if key not in fm.data:
            unknown = [k for k in fm.data if isinstance(k, str) and k not in SCHEMA_KEYS]
            near = [k for k in unknown if closest(k, [key]) == key]
            if near:
                yield Problem(f"The front matter has no `{key}` field (`{near[0]}` at line "
                              f"{fm.line_of(near[0])} looks like a misspelling of it).", line=fm.start_line,
                              fix=f"Rename `{near[0]}` to `{key}`.")
            else:
                yield Problem(f"The front matter has no `{key}` field.", line=fm.start_line,
                              fix=f"Add `{key}: {example}`.")
            continue
        value = fm.data[key]
        if not is_empty(value):
            continue
        line = fm.line_of(key)
        raw = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
        comment = re.search(rf"^\s*{re.escape(key)}\s*:\s+#\s*(\d+)", raw)
        if value is None and comment:
            yield Problem(f"`{key}` is empty: `#{comment[1]}` starts a YAML comment.", line=line,
                          fix=f"Write the number without `#`: `{key}: {comment[1]}`.")
        else:
            yield Problem(f"`{key}` is empty.", line=line, fix=f"Give it a value: `{key}: {example}`.")
