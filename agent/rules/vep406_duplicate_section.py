"""A required section appears once.

**What it checks.** No two `##` headings stand for the same required section of
``veps/NNNN-vep-template/vep.md`` with the same words: ``## Functional Testing Approach``
twice, or ``## Non-Goals`` and ``## Non Goals`` (case and punctuation ignored, as VEP401
compares headings). Headings that differ in their parenthesized text are different
sections ("Implementation Phases (for v1alpha1 in v1.7.0)" and "… (in v1.8.0)", one per
release), and so are a name and an alias ("User Stories" and "Use Cases"). Each repeat
gets a warning at its line that names the first one. A **warning**: nothing is missing,
but the reader does not know which of the two is current.

**Why.** docs/vep-writing-guide.md, "Document Structure": "Keep the template's section set
and order intact." A second copy of a section is usually a merge or copy-and-paste leftover:
reviewers read the first, the author edits the second, and the two drift apart. The other
rules read the first one only (VEP401, VEP402, VEP403).

**Anti-pattern.** ``## Functional Testing Approach`` written early in the VEP, and again,
with other text, after ``## Update/Rollback Compatibility``.

**Best practice.** One ``##`` section per template heading: merge the two, or give the
second a heading of its own (``## Upgrade Testing``) if it is about something else.
"""

from __future__ import annotations

from agent.document import normalize_heading
from agent.rules import Problem

ID = "VEP406"
NAME = "duplicate-section"
SEVERITY = "warning"
SOURCE = "docs/vep-writing-guide.md, Document Structure (keep the template's section set intact)"
FIX = "Merge the two sections into one, or give the second a heading that says what it is about."


def _identity(title: str) -> tuple[str, str]:
    """The heading's words (:func:`normalize_heading`) and, apart, its parenthesized words."""
    inner = title.partition("(")[2] if "(" in title else ""
    return normalize_heading(title), normalize_heading(inner.replace(")", " "))


def check(doc, ctx):
    if doc.info.is_template:
        return
    required = {alias for s in ctx.template.sections for alias in s.aliases}
    first: dict[tuple[str, str], object] = {}
    for s in doc.h2():
        if s.key not in required:
            continue
        identity = _identity(s.title)
        earlier = first.setdefault(identity, s)
        if earlier is not s:
            yield Problem(
                f"`## {s.title}` repeats `## {earlier.title}` (line {earlier.line}).",
                line=s.line,
                fix=f"Merge this section into `## {earlier.title}` (line {earlier.line}), or give it a heading "
                    "that says what it is about.",
                section=s.title,
            )
