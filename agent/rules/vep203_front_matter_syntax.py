"""The front matter block is well-formed YAML: terminated, a mapping, no alias bombs.

**What it checks.** That the block between the opening ``---`` and the closing ``---``
loads: it is closed by a ``---`` line, it is valid YAML, its top level is a mapping of
``key: value`` lines, and it is neither nested absurdly deep nor expanded by aliases
beyond 10,000 values. The finding is at the line the YAML parser names, and the fix
addresses the usual causes: unquoted ``@handles``, tabs, an unquoted ``: `` inside a value.

When this rule fires no other front matter rule can look at the fields: fix this first.

**Why.** Meta-VEP 282, "CI Enforcement", Action 1: "Front matter is present and valid
YAML". GitHub, python-frontmatter and the governance CI all fail on a block they cannot
parse, and the VEP's state is then unknown to every tool.

**Anti-pattern.** ``authors: [@jdoe]`` (``@`` cannot start a plain YAML scalar),
``title: VEP 12: Live migration`` (a second ``: ``), a block with no closing ``---``.

**Best practice.** Quote handles (``- "@jdoe"``) and any value with ``: `` or ``#`` in it,
indent with spaces, and close the block with ``---`` before the markdown.
"""

import re

from agent.rules import Problem

ID = "VEP203"
NAME = "front-matter-syntax"
SEVERITY = "error"
SOURCE = "meta-VEP 282, CI Enforcement (Action 1: front matter is present and valid YAML)"
FIX = "Fix the YAML at this line; quote values that contain `: ` or `#` or start with `@`, `*`, `&`, `!` or a backquote."


def _fix(reason: str, text: str) -> str:
    """The fix for a loader error ``reason`` found on a line reading ``text``."""
    if "not terminated" in reason:
        return "Close the front matter with a `---` line between the last field and the markdown body."
    if "not a mapping" in reason:
        return "Write the front matter as `key: value` lines (docs/vep-governance.md, Front Matter Schema)."
    if "alias" in reason or "nested too deeply" in reason:
        return "Write the values out plainly: the schema needs no anchors, aliases or deep nesting."
    # libyaml's messages do not name the character: look at the line itself
    if "'\\t'" in reason or "\t" in text[: len(text) - len(text.lstrip())] or re.search(r"[:-][ ]*\t", text):
        return "Indent with spaces, not tabs."
    if "'@'" in reason or re.search(r"(^\s*-|:|\[|,)\s*@", text):
        return 'Quote GitHub handles: `- "@name"`.'
    if "'`'" in reason or re.search(r"(^\s*-|:|\[|,)\s*`", text):
        return "Quote values that start with a backquote."
    if "mapping values are not allowed" in reason:
        return 'Quote values that contain `: `, e.g. `title: "Live migration: the next step"`.'
    return FIX


def check(doc, ctx):
    fm = doc.front_matter
    if fm is None or fm.error is None:
        return
    reason = " ".join(str(fm.error.reason).split()).rstrip(".")
    line = fm.error.line or fm.start_line
    text = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    yield Problem(f"The front matter cannot be read: {reason}.", line=line, fix=_fix(reason, text))
