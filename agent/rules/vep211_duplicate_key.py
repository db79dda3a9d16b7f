"""No front matter key is given twice.

**What it checks.** Each key that appears more than once in the same mapping of the front
matter (at the top level or under ``milestone``), reported at each repeated occurrence.

**Why.** YAML requires keys to be unique, but PyYAML (python-frontmatter, most CI scripts)
silently keeps the last value and other parsers keep the first or refuse the file. Two
``status:`` lines make the VEP's governance state depend on the tool reading it, against
docs/vep-governance.md's "single source of truth".

**Anti-pattern.** A ``status: provisional`` left at the top and a ``status: implementable``
added further down; two ``alpha:`` lines under ``milestone``.

**Best practice.** One line per key: edit the existing value instead of adding another.
"""

from agent.rules import Problem

ID = "VEP211"
NAME = "duplicate-key"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Overview (front matter is the single source of truth); YAML 1.2, mapping keys are unique"
FIX = "Keep one of the lines and delete the other."


def check(doc, ctx):
    fm = doc.front_matter
    if fm is None or fm.error is not None:
        return
    for key_path, line in fm.duplicates:
        kept = fm.data
        for part in key_path.split("."):
            kept = kept.get(part) if isinstance(kept, dict) else None
        shown = f", `{kept}`" if isinstance(kept, str) else ""
        yield Problem(f"`{key_path}` is given more than once; YAML parsers silently keep the last value{shown}.",
                      line=line, fix=f"Keep one `{key_path.rpartition('.')[2]}:` line and delete the others.")
