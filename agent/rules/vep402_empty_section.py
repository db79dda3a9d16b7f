"""A required section is there but says nothing.

**What it checks.** Each required section that VEP401 finds (at any heading level) must hold
at least one line of content once HTML comments, headings, blank lines and placeholder text
are removed. Placeholder text is the template's own text (its comments are already gone; what
remains are lines such as ``- This VEP targets alpha for version:`` or the unticked Release
Signoff Checklist items) and lone words such as ``TBD``, ``TODO`` or ``...``. Subsections count:
a Graduation Requirements section whose ``### Alpha`` holds a checklist is not empty, one with
nothing but empty ``### Alpha`` / ``### Beta`` / ``### GA`` headings is.

"N/A" counts as content, with or without a reason: the README asks that every section be
filled "even if the section doesn't apply", and N/A is how authors fill it (the writing guide
asks for a one-line reason; that is for reviewers to judge, not this rule).

Implementation History is a "dated log of actual milestones" (docs/vep-writing-guide.md), so
it may stay empty until something is implemented: it is checked only when the front matter
says implementation has started (``stage`` set) or finished (``status: implemented``).

An **error** (a warning on not-yet-migrated VEPs without front matter, meta-VEP 282
"Update/Rollback Compatibility"). The template itself is not checked.

**Why.** kubevirt/enhancements README.md, Process step 2: "each section needs to be filled
even if the section doesn't apply to the VEP"; docs/vep-writing-guide.md, "Document
Structure": "Every section must be addressed — write "N/A" with a one-line reason if it
doesn't apply." A heading left with only the template's comment hides whether the author
considered the question at all.

**Anti-pattern.** ``## Scalability`` followed only by the template's
``<!-- Overview of how the design scales) -->``.

**Best practice.** Answer the section's question, or write
``N/A: the change adds no API calls or watches.``
"""

from __future__ import annotations

from agent.document import normalize_heading
from agent.rules import Problem
from agent.rules.vep401_required_section import locate

ID = "VEP402"
NAME = "empty-section"
SEVERITY = "error"
LEGACY_SEVERITY = "warning"
SOURCE = ("kubevirt/enhancements README.md, Process step 2 (each section needs to be filled); "
          "docs/vep-writing-guide.md, Document Structure")
FIX = "Fill in the section, or write N/A with a one-line reason if it does not apply."


_HISTORY = "implementation history"


def _implementation_started(doc) -> bool:
    """The front matter says something has been implemented: ``stage`` is set or
    ``status`` is ``implemented``."""
    fm = doc.front_matter
    if fm is None or not isinstance(fm.data, dict):
        return False
    stage, status = fm.get("stage"), fm.get("status")
    return (isinstance(stage, str) and stage.strip() != "") or (
        isinstance(status, str) and status.strip().lower() == "implemented")


def check(doc, ctx):
    if doc.info.is_template:
        return
    found = locate(doc, ctx.template)
    for loc in sorted(found.values(), key=lambda loc: loc.section.line):
        if normalize_heading(loc.required.name) == _HISTORY and not _implementation_started(doc):
            continue
        if loc.section.is_empty(ctx.template.placeholders):
            yield Problem(
                f"The required section `{loc.section.title}` has no content beyond headings, comments and "
                "template text.",
                line=loc.section.line,
                fix=f"Fill in {loc.required.name}, or write N/A with a one-line reason if it does not apply.",
                section=loc.section.title,
            )
