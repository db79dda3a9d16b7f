"""What changed in a VEP against its base version, for the change-aware review (issue 10).

With a base version (``--base``, ``--base-file``, or the PR's base in the GitHub front end) the
reviewers are shown the whole VEP as context plus the change (:func:`render`) and asked about the
change only; :func:`agent.llm.verify.verify` then drops findings whose quote lies wholly in
unchanged text (``dropped_unchanged``), unless the finding names, in ``conflicts_with``, a changed
passage that the unchanged text now contradicts.

Lines are compared after :func:`agent.llm.sanitize.sanitize` (what the model is shown; it keeps
the line structure) and with runs of whitespace collapsed, so re-wrapping indentation or trailing
spaces is not a change. A VEP absent from the base is new: it is reviewed whole (no
:class:`Change`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from agent.llm.sanitize import sanitize

#: Longest diff shown to the model, in characters; a longer one is cut (the VEP is there whole).
MAX_DIFF_CHARS = 24_000


@dataclass(frozen=True)
class Change:
    """The change of one VEP against its base.

    Attributes:
        lines: 1-based line numbers of the current version that were added or modified.
        sections: titles of the current version's sections holding such lines, in order.
        diff: unified diff (no context lines; hunk headers give current line numbers).
        removed: number of base lines removed without replacement.
    """

    lines: frozenset[int]
    sections: tuple[str, ...]
    diff: str
    removed: int

    @property
    def empty(self) -> bool:
        """Nothing was added, modified or removed."""
        return not self.lines and not self.removed

    def touches(self, first: int, last: int) -> bool:
        """Whether any line ``first``..``last`` (1-based, inclusive) is changed text."""
        return any(n in self.lines for n in range(first, last + 1))


def compute_change(base_doc, doc) -> Change:
    """The :class:`Change` from ``base_doc`` to ``doc`` (both :class:`agent.document.VepDocument`)."""
    old = sanitize(base_doc.text).split("\n")
    new = sanitize(doc.text).split("\n")
    key = lambda lines: [" ".join(line.split()) for line in lines]  # noqa: E731
    matcher = difflib.SequenceMatcher(None, key(old), key(new), autojunk=False)
    changed: set[int] = set()
    removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(n + 1 for n in range(j1, j2) if new[n].strip())
        if tag == "delete":
            removed += i2 - i1
    sections: list[str] = []
    for n in sorted(changed):
        s = doc.section_at(n)
        title = s.title if s is not None else "(before the first heading)"
        if title not in sections:
            sections.append(title)
    diff = "\n".join(difflib.unified_diff(old, new, "base", "current", n=0, lineterm=""))
    if len(diff) > MAX_DIFF_CHARS:
        diff = diff[:MAX_DIFF_CHARS] + "\n[… the rest of the diff was cut by vep-review: too long]"
    return Change(frozenset(changed), tuple(sections), diff, removed)


def render(change: Change) -> str:
    """The ``<vep_change>`` block shown to every reviewer after the VEP (part of the cached prefix)."""
    sections = "; ".join(change.sections) or "none (only removals)"
    return ("<vep_change>\n"
            "This is an update of a VEP the SIG has already seen. Review THE CHANGE: raise concerns only "
            "about text the change added or modified (the + lines of the diff below, line numbers of the "
            "document above), or about a contradiction the change introduced with text it left unchanged "
            "(then quote the unchanged text and put the changed passage, verbatim, in `conflicts_with`). "
            "Findings about unchanged text are discarded.\n"
            f"Changed sections: {sections}.\n"
            f"Diff against the base version:\n{change.diff}\n"
            "</vep_change>")
