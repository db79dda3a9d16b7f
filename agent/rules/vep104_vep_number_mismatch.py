"""The VEP number agrees between the directory, the H1 title and the front matter.

**What it checks.** The numbers in ``<number>-<name>/``, in ``# VEP #N: …`` and in the front
matter's ``vep-number``: each one present must be the same number.

**Why.** The VEP number is the tracking issue's number and the VEP's unique ID
(docs/feature-lifecycle.md, "Virtualization Enhancement Proposal"; docs/vep-governance.md,
``vep-number``: "equals the tracking issue number"). A copy-pasted title or a directory
renamed for another issue sends reviewers and the release team to the wrong issue.

**Anti-pattern.** ``veps/sig-storage/165-containerpath-volumes/vep.md`` titled
``# VEP #156: …``.

**Best practice.** One number everywhere: the tracking issue's.
"""

from agent.document import small_int
from agent.rules import Problem

ID = "VEP104"
NAME = "vep-number-mismatch"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Front Matter Schema (vep-number equals the tracking issue number)"
FIX = "Use the tracking issue number in the directory name, the H1 and vep-number."


def front_matter_number(doc):
    """(number, line) from ``vep-number``, or ``(None, None)`` when absent or not a number."""
    fm = doc.front_matter
    if fm is None or fm.error is not None:
        return None, None
    value = fm.get("vep-number")
    text = str(value).strip().lstrip("#") if value is not None else ""
    number = small_int(text) if text.isascii() else None  # too long: VEP206 says it is not valid
    return (number, fm.line_of("vep-number")) if number is not None else (None, None)


def check(doc, ctx):
    if doc.info.is_template:
        return
    seen = []
    if doc.info.number is not None:
        seen.append(("directory", doc.info.number, None))
    title = doc.title
    if title is not None and title.number is not None:
        seen.append(("title", title.number, title.line))
    fm_number, fm_line = front_matter_number(doc)
    if fm_number is not None:
        seen.append(("front matter vep-number", fm_number, fm_line))
    if len({n for _, n, _ in seen}) <= 1:
        return
    described = ", ".join(f"{where} says {n}" for where, n, _ in seen)
    # point at the place most likely wrong: the one that disagrees with the majority
    counts = {}
    for _, n, _ in seen:
        counts[n] = counts.get(n, 0) + 1
    majority = max(counts, key=lambda n: (counts[n], n == doc.info.number))
    odd = next(((w, line) for w, n, line in seen if n != majority), (None, None))
    yield Problem(f"The VEP number disagrees: {described}.", line=odd[1] or fm_line or (title.line if title else None),
                  fix=f"Use the tracking issue number everywhere (most places say {majority}).")
