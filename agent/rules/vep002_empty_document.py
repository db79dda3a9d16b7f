"""The document has content.

**What it checks.** A file with no text at all, or only white space, is not a VEP; no other
rule runs on it.

**Anti-pattern.** An empty ``vep.md`` committed as a placeholder for a proposal to come.

**Best practice.** Start from ``veps/NNNN-vep-template/vep.md`` and fill in at least the
front matter and the requirement sections (Overview to User Stories) before opening the PR
(meta-VEP 282, "Bar for merging a VEP in provisional state").
"""

from agent.rules import Problem

ID = "VEP002"
NAME = "empty-document"
SEVERITY = "error"
SOURCE = "kubevirt/enhancements README.md, Process step 2 (use the VEP template)"
FIX = "Copy veps/NNNN-vep-template/vep.md and fill it in."


def check(doc, ctx):
    if "binary" not in doc.notes and (not doc.text or doc.text.isspace()):  # no copy, as strip() makes
        yield Problem("The document is empty.")
