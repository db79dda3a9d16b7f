"""Every `##` section of the VEP template is present.

**What it checks.** That each `##` section of ``veps/NNNN-vep-template/vep.md`` (Overview,
Motivation, Goals, Non Goals, Definition of Users, User Stories, Repos, Design, API Examples,
Alternatives, Scalability, Update/Rollback Compatibility, Functional Testing Approach,
Implementation History, Graduation Requirements) has a heading in the VEP. "VEP Status
Metadata" (Target releases and the Release Signoff Checklist) is required only from VEPs
without front matter: meta-VEP 282 moves it into the front matter.

A section is found, in this order:

1. a `##` heading equal to the section's name or one of its aliases (``BUNDLED_SECTIONS`` in agent/template.py:
   the older template's "Implementation Phases" and "Feature lifecycle Phases", spellings such
   as "Non-Goals" or "Update / Compatibility"), case and punctuation ignored, text in
   parentheses ignored; the section's own name wins over an alias ("User Stories" over an
   earlier "Use cases"); one heading stands for one section ("Implementation Phases" is an
   alias of both Implementation History and Graduation Requirements: it goes to Graduation
   Requirements when it holds Alpha/Beta/GA subsections, else to Implementation History);
2. a `##` heading that starts or ends with a name or alias ("Alternative Designs
   Considered", "Undesired alternatives");
3. a heading at another level with a name or alias (`# Scalability`, `### API Examples`):
   the section is there, so it is not reported missing; it gets a **warning** of its own,
   because the template makes it a `##` section and readers and tools navigate by that level.

A section found nowhere is an **error** (a warning on not-yet-migrated VEPs without front
matter, per meta-VEP 282, "Update/Rollback Compatibility": the validator warns on existing
VEPs and enforces on new ones). The template itself is not checked.

**Why.** kubevirt/enhancements README.md, Process step 2: "each section needs to be filled
even if the section doesn't apply to the VEP"; docs/vep-writing-guide.md, "Document
Structure": "Keep the template's section set and order intact. Every section must be
addressed — write "N/A" with a one-line reason if it doesn't apply." A missing section reads
as "not considered": a VEP without Update/Rollback Compatibility never told reviewers what
happens to running VMs on upgrade.

**Anti-pattern.** Dropping `## Alternatives` and `## Scalability` because "there are none", or
folding the API examples into the Design section.

**Best practice.** Keep every template heading, in template order, and write
``N/A: <one-line reason>`` under those that do not apply.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from agent.document import Section, normalize_heading, prose_lines
from agent.rules import Problem

ID = "VEP401"
NAME = "required-section"
SEVERITY = "error"
LEGACY_SEVERITY = "warning"
SOURCE = ("veps/NNNN-vep-template/vep.md; kubevirt/enhancements README.md, Process step 2; "
          "docs/vep-writing-guide.md, Document Structure")
FIX = "Add the missing `##` section; write N/A with a one-line reason if it does not apply."

_STAGE_HEADING_RE = re.compile(r"^\W*(alpha|beta|ga|general availability)\b", re.I)


class Located(NamedTuple):
    """Where a required section is in a document.

    Attributes:
        required: the :class:`agent.template.RequiredSection`.
        index: its position in the template (0-based).
        section: the heading that stands for it.
        how: ``"exact"`` (a `##` heading with a name or alias), ``"loose"`` (a `##` heading
            that starts or ends with one) or ``"level"`` (a heading at another level).
    """

    required: object
    index: int
    section: Section
    how: str


def required_sections(doc, template):
    """The template's required sections that apply to ``doc``: (template index,
    :class:`agent.template.RequiredSection`) pairs, in template order. Sections marked
    ``without_front_matter_only`` are left out when the document has front matter."""
    return [(i, r) for i, r in enumerate(template.sections)
            if not (r.without_front_matter_only and doc.front_matter is not None)]


def _has_stage_subsections(doc, section: Section) -> bool:
    return any(s.line > section.line and s.end_line <= section.end_line and s.level > section.level
               and _STAGE_HEADING_RE.match(s.title) for s in doc.sections)


def _loose(key: str, aliases) -> bool:
    words = key.split()
    for alias in aliases:
        a = alias.split()
        if a and len(words) > len(a) and (words[: len(a)] == a or words[-len(a):] == a):
            return True
    return False


def locate(doc, template) -> dict[str, Located]:
    """Find each required section of ``template`` in ``doc`` (see the rule's documentation
    for the order of the searches). Kept with the document: several rules ask.

    Returns:
        required section name -> :class:`Located`, for the sections found; sections not
        required for this document (``without_front_matter_only`` with front matter) are
        left out. Never raises.
    """
    return dict(doc.memo(("required sections", template), lambda: _locate(doc, template)))


def _locate(doc, template) -> dict[str, Located]:
    wanted = required_sections(doc, template)
    found: dict[str, Located] = {}
    used: set[int] = set()
    h2 = doc.h2()
    by_alias: dict[str, list] = {}  # name or alias -> (template index, required section), in template order
    for i, r in wanted:
        for alias in r.aliases:
            by_alias.setdefault(alias, []).append((i, r))

    def take(idx, req, section, how):
        found[req.name] = Located(req, idx, section, how)
        used.add(section.line)

    # 1. `##` headings with a section's own name, then its aliases: first the headings that
    #    stand for one section only, then those that are an alias of several
    #    ("Implementation Phases"), for what is still open
    for i, r in wanted:
        same = doc.sections_by_key.get(normalize_heading(r.name), ())
        s = next((s for s in same if s.level == 2 and s.line not in used), None)
        if s is not None:
            take(i, r, s, "exact")
    for ambiguous in (False, True):
        for s in h2:
            if s.line in used:
                continue
            every = by_alias.get(s.key, [])
            if (len(every) > 1) != ambiguous:
                continue
            cands = [(i, r) for i, r in every if r.name not in found]
            if not cands:
                continue
            if len(cands) > 1 and _has_stage_subsections(doc, s):
                cands = cands[-1:]
            take(*cands[0], s, "exact")
    # 2. `##` headings that start or end with a name or alias
    for i, r in wanted:
        if r.name in found:
            continue
        for s in h2:
            if s.line not in used and _loose(s.key, r.aliases):
                take(i, r, s, "loose")
                break
    # 3. the name or an alias at another heading level: the first such heading
    for i, r in wanted:
        if r.name in found:
            continue
        cands = [s for alias in r.aliases for s in doc.sections_by_key.get(alias, ())
                 if s.level != 2 and s.line not in used]
        if cands:
            take(i, r, min(cands, key=lambda s: s.line), "level")
    return found


def check(doc, ctx):
    if doc.info.is_template:
        return
    wanted = required_sections(doc, ctx.template)
    found = locate(doc, ctx.template)
    for pos, (_, req) in enumerate(wanted):
        loc = found.get(req.name)
        if loc is None:
            before = next((found[r.name] for _, r in wanted[pos + 1:] if r.name in found
                           and found[r.name].how != "level"), None)
            after = next((found[r.name] for _, r in reversed(wanted[:pos]) if r.name in found), None)
            if after is not None:
                where = f"after `{'#' * after.section.level} {after.section.title}`"
            elif before is not None:
                where = f"before `{'#' * before.section.level} {before.section.title}`"
            else:
                where = "in template order"
            yield Problem(
                f"The required section `## {req.name}` is missing.",
                line=before.section.line if before is not None else None,
                fix=f"Add a `## {req.name}` section {where}; write N/A with a one-line reason if it does not apply.",
                section=req.name,
            )
        elif loc.how == "level":
            hashes = "#" * loc.section.level
            yield Problem(
                f"The required section {req.name} is a level-{loc.section.level} heading "
                f"(`{hashes} {loc.section.title}`) instead of a `##` section.",
                line=loc.section.line,
                fix=f"Make it a `## {req.name}` heading at the top level of the body.",
                severity="warning",
            )


# --- graduation stages (shared with VEP404, VEP501) -------------------------------------

#: Stage words: ``alpha`` (also ``alpha2``), ``beta``, ``GA`` (upper case only) and
#: ``general availability``.
STAGE_WORD_RE = re.compile(r"\b(?:(?i:alpha)\d*|(?i:beta)|GA|(?i:general\s+availability))\b")
_LABEL_BOLD_RE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)([^*_\n]{1,60})(?:\*\*|__)")
_LABEL_LIST_RE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?((?i:alpha)\d*|(?i:beta)|GA|(?i:general\s+availability))\s*(?:\([^)]*\)\s*)?[:\-–—]")
_LABEL_START_RE = re.compile(
    r"^\W*(?:v?\d+(?:\.\d+)*\s*\(?\s*)?(?:(?i:alpha)|(?i:beta)|GA\b|(?i:general\s+availability))")


def stage_of(text: str) -> set[str]:
    """The stages (``"alpha"``, ``"beta"``, ``"ga"``) named in ``text``."""
    out = set()
    for m in STAGE_WORD_RE.finditer(text):
        word = m.group(0).lower()
        out.add("alpha" if word.startswith("alpha") else "beta" if word == "beta" else "ga")
    return out


def graduation_section(doc, template) -> Section | None:
    """The heading that stands for Graduation Requirements (or its older aliases, "Feature
    lifecycle Phases", "Implementation Phases" holding stages), at any level; ``None`` when
    there is none."""
    req = template.lookup("Graduation Requirements")
    if req is not None:
        loc = locate(doc, template).get(req.name)
        if loc is not None:
            return loc.section
    return doc.find("Graduation Requirements", "Feature lifecycle Phases", "Graduation")


class StageMark(NamedTuple):
    """A place where a graduation stage is labelled.

    Attributes:
        stage: ``"alpha"``, ``"beta"`` or ``"ga"``.
        line: 1-based file line of the label.
        kind: ``"heading"``, ``"bold"`` or ``"list"``.
        has_content: a heading's subsection holds meaningful lines; always True for
            bold and list labels (they sit on a line of text).
    """

    stage: str
    line: int
    kind: str
    has_content: bool


def stage_marks(doc, grad: Section) -> list[StageMark]:
    """Stage labels in the graduation section ``grad``:

    - headings inside it whose text names a stage (``### Alpha``, ``### Alpha (v1.7)``,
      ``### Beta / GA (future)``, ``### General Availability``), and headings at its own
      level that follow it directly and start with a stage (``## Beta`` right after
      ``## Graduation Requirements``);
    - bold labels that start a line and start with a stage, or a release and a stage
      (``**Alpha:**``, ``- **Beta (v1.9)**``, ``**v1.10 (Alpha)**``; not
      ``**Rationale for Alpha2 instead of Beta:**``);
    - list items or lines that start with a stage and a colon or dash (``- Alpha: …``,
      ``GA (v1.10) - …``).

    A mere mention in a sentence ("graduate to Beta once …") is not a label. HTML comments
    and fenced code are ignored.

    Returns:
        the marks in document order. Never raises. Kept with the document: VEP404, VEP405
        and VEP501 ask about the same section.
    """
    return list(doc.memo(("stage marks", grad), lambda: _stage_marks(doc, grad)))


def _stage_marks(doc, grad: Section) -> list[StageMark]:
    marks: list[StageMark] = []
    first, last = grad.line, grad.end_line
    for s in doc.sections_after(grad.line):
        inside = s.line <= last and s.level > grad.level
        sibling = (s.line == last + 1 and s.level == grad.level
                   and STAGE_WORD_RE.match(s.title.strip("*_ ")) is not None)
        if not inside and not sibling:
            if s.line > last:
                break
            continue
        for stage in sorted(stage_of(s.title)):
            marks.append(StageMark(stage, s.line, "heading", not s.is_empty()))
        if sibling:
            last = s.end_line
    for line, raw in prose_lines(doc.lines.joined(first, last), first + 1):
        m = _LABEL_BOLD_RE.match(raw)
        if m and _LABEL_START_RE.match(m.group(1)):
            for stage in sorted(stage_of(m.group(1))):
                marks.append(StageMark(stage, line, "bold", True))
            continue
        m = _LABEL_LIST_RE.match(raw)
        if m:
            for stage in stage_of(m.group(1)):
                marks.append(StageMark(stage, line, "list", True))
    marks.sort(key=lambda mk: mk.line)
    return marks
