"""The VEP template's required sections.

Source: ``veps/NNNN-vep-template/vep.md`` of the checked repository ("each section needs to
be filled even if the section doesn't apply to the VEP", kubevirt/enhancements README,
Process step 2). When the repository has no template, the bundled list in
``BUNDLED_SECTIONS`` is used. Aliases for real variants ("Non-Goals",
"Update / Compatibility", the older "Implementation Phases" / "Feature lifecycle Phases"
template) always come from the bundled list.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from agent.document import normalize_heading, parse, strip_comments

TEMPLATE_PATH = "veps/NNNN-vep-template/vep.md"
#: Required ``##`` sections of a VEP, in the order of veps/NNNN-vep-template/vep.md, with the
#: variants found in real VEPs of kubevirt/enhancements (older template revisions and author
#: spellings): ``(name, aliases, required only without front matter)``. This is the bundled
#: fallback: when the checked repository has the template, its ``##`` headings decide which
#: sections are required and in which order, and these aliases still apply. (Python, not
#: YAML: a check of VEPs without front matter then never loads a YAML parser.)
BUNDLED_SECTIONS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    # VEP-282 moves "Target releases" and the signoff checklist into the front matter:
    # required only from documents without front matter.
    ("VEP Status Metadata", ("Release Signoff Checklist",), True),
    ("Overview", ("Summary", "Introduction"), False),
    ("Motivation", (), False),
    ("Goals", (), False),
    ("Non Goals", ("Non-Goals", "Non goals", "Out of Scope"), False),
    ("Definition of Users", ("Users", "Target Users"), False),
    ("User Stories", ("Use Cases", "User Stories and Use Cases"), False),
    ("Repos", ("Repositories", "Impacted Repos"), False),
    ("Design", ("Proposal", "Detailed Design"), False),
    ("API Examples", ("API Example", "API Changes", "Examples"), False),
    ("Alternatives", ("Alternatives Considered", "Alternative Designs"), False),
    ("Scalability", (), False),
    ("Update/Rollback Compatibility", ("Update / Compatibility", "Upgrade/Rollback Compatibility",
                                       "Update Compatibility", "Upgrade Compatibility"), False),
    ("Functional Testing Approach", ("Functional Testing", "Testing Approach", "Testing"), False),
    ("Implementation History", ("Implementation Phases", "Implementation Roadmap"), False),
    ("Graduation Requirements", ("Feature lifecycle Phases", "Graduation", "Implementation Phases"), False),
)


class RequiredSection(NamedTuple):
    """One required ``##`` section.

    Attributes:
        name: heading as in the template.
        aliases: normalized headings accepted instead (the name included).
        without_front_matter_only: required only when the VEP has no front matter.
    """

    name: str
    aliases: frozenset[str]
    without_front_matter_only: bool = False


class Template(NamedTuple):
    """Required sections in template order, and where they came from.

    Attributes:
        sections: :class:`RequiredSection` list.
        source: ``"<repo>/veps/NNNN-vep-template/vep.md"`` or ``"bundled"``.
        placeholders: every normalized non-comment template body line (any section).
    """

    sections: tuple[RequiredSection, ...]
    source: str
    placeholders: frozenset[str] = frozenset()

    def lookup(self, heading: str) -> RequiredSection | None:
        """The required section a heading stands for, if any."""
        key = normalize_heading(heading)
        for s in self.sections:
            if key in s.aliases:
                return s
        return None


def _placeholder_lines(body: str) -> frozenset[str]:
    lines = set()
    for raw in strip_comments(body).splitlines():
        line = " ".join(raw.split())
        if line and not line.startswith("#"):
            lines.add(line)
            lines.add(line.rstrip(": "))  # "- This VEP targets alpha for version:" filled with nothing
    return frozenset(lines)


@lru_cache(maxsize=8)
def load_template(repo_root: str | None) -> Template:
    """The template of the repository at ``repo_root`` (``None``: bundled only).

    A template file that cannot be read or has no ``##`` headings falls back to the
    bundled list; this never raises.
    """
    bundled = {normalize_heading(name): (name, aliases, wfmo) for name, aliases, wfmo in BUNDLED_SECTIONS}
    names: list[str] = [b[0] for b in bundled.values()]
    source = "bundled"
    placeholders: set[str] = set()
    if repo_root is not None:
        path = Path(repo_root) / TEMPLATE_PATH
        try:
            h2 = parse(path.read_bytes(), str(path), TEMPLATE_PATH).h2()
        except OSError:
            h2 = []
        if h2:
            names = [s.title for s in h2]
            source = str(path)
            for s in h2:
                placeholders |= _placeholder_lines(s.body)
    sections = []
    for name in names:
        key = normalize_heading(name)
        _, aliases, wfmo = bundled.get(key, (name, (), False))
        sections.append(RequiredSection(name, frozenset({key, *(normalize_heading(a) for a in aliases)}), wfmo))
    return Template(tuple(sections), source, frozenset(placeholders))
