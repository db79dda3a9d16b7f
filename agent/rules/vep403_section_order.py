"""The required sections come in template order.

**What it checks.** The `##` headings that stand for required sections (found as VEP401
finds them: names, aliases, headings that start or end with one; not those at another
heading level, which VEP401 reports) must appear in the order of
``veps/NNNN-vep-template/vep.md``. Other `##` sections may sit anywhere. When a heading
repeats a section ("User Stories" and "Use Cases"), the first one counts (a second
copy of the same heading is VEP406's).

The rule reports the fewest sections that are out of place: the longest run of required
sections already in template order stays, and every other one gets a warning that names
the section it should come before (or after). A **warning**: the content is there, only
harder to find.

**Why.** docs/vep-writing-guide.md, "Document Structure": "Keep the template's section set
and order intact." Reviewers read many VEPs and look for Scalability or Update/Rollback
Compatibility where the template puts them; the order also follows the argument (problem,
users, design, consequences, plan).

**Anti-pattern.** `## Alternatives` placed after `## Graduation Requirements`, or
`## Design` before `## User Stories`.

**Best practice.** Keep the template's headings in its order and add extra sections
(Security, References, Appendix) next to the one they extend or at the end.
"""

from __future__ import annotations

from agent.rules import Problem
from agent.rules.vep401_required_section import locate

ID = "VEP403"
NAME = "section-order"
SEVERITY = "warning"
SOURCE = "docs/vep-writing-guide.md, Document Structure (keep the template's section order)"
FIX = "Move the section to its place in the template order."


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``values``."""
    n = len(values)
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if values[j] < values[i] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    if not n:
        return set()
    i = max(range(n), key=lambda k: (best[k], -k))
    keep = set()
    while i != -1:
        keep.add(i)
        i = prev[i]
    return keep


def check(doc, ctx):
    if doc.info.is_template:
        return
    found = [loc for loc in locate(doc, ctx.template).values() if loc.how != "level"]
    found.sort(key=lambda loc: loc.section.line)
    keep = _longest_increasing([loc.index for loc in found])
    for pos, loc in enumerate(found):
        if pos in keep:
            continue
        earlier_bigger = next((o for o in found[:pos] if o.index > loc.index), None)
        if earlier_bigger is not None:
            other, relation = earlier_bigger, "before"
        else:
            other = next(o for o in reversed(found[pos + 1:]) if o.index < loc.index)
            relation = "after"
        yield Problem(
            f"`## {loc.section.title}` should come {relation} `## {other.section.title}` (template order).",
            line=loc.section.line,
            fix=f"Move `## {loc.section.title}` {relation} `## {other.section.title}`, as in the template.",
            section=loc.section.title,
        )
