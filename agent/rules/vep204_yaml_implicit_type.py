"""Front matter values are not silently retyped by YAML 1.1 parsers.

**What it checks.** Each unquoted value that a YAML 1.1 parser (PyYAML, and so
python-frontmatter and most CI scripts) turns into something other than the text written:
dates (``2024-05-22`` becomes a ``datetime.date``), numbers that lose their text (``1.10``
becomes ``1.1``, ``0307`` becomes 199), booleans (``no``, ``yes``, ``off`` become
``False``/``True``). Plain whole numbers such as ``vep-number: 307`` and ``true``/``false``
mean what they say and are not reported.

**Why.** docs/vep-governance.md, "Front Matter Schema", writes such values quoted
(``creation-date: "YYYY-MM-DD"``, ``alpha: "v1.x"``): tools compare them as strings. An
unquoted ``creation-date`` is a date object to a Python tool and a string to a Go one;
``milestone: {beta: 1.10}`` is read as release 1.1; a reviewer handle ``no`` becomes
``False``. vep-review itself reads the text as written and reports the trap here.

**Anti-pattern.** ``creation-date: 2024-05-22``, ``alpha: 1.10``.

**Best practice.** Quote dates, versions and anything that looks like a number or a yes/no:
``creation-date: "2024-05-22"``, ``alpha: "v1.10"``.
"""

import re

from agent.rules import Problem

ID = "VEP204"
NAME = "yaml-implicit-type"
SEVERITY = "warning"
SOURCE = "docs/vep-governance.md, Front Matter Schema (quoted string values); YAML 1.1 implicit typing"
FIX = "Quote the value."

_ITEM_RE = re.compile(r"(?P<key>.*)\[(?P<index>\d+)\]")
_RELEASE_RE = re.compile(r"\d+\.\d+")


def check(doc, ctx):
    fm = doc.front_matter
    if fm is None or fm.error is not None:
        return
    for it in fm.implicit_types:
        item = _ITEM_RE.fullmatch(it.key_path)
        if item:
            shown, fixed = f"`- {it.text}` in `{item['key']}`", f'`- "{it.text}"`'
        else:
            key = it.key_path.rpartition(".")[2]
            shown, fixed = f"`{key}: {it.text}`", f'`{key}: "{it.text}"`'
            if it.key_path.startswith("milestone.") and _RELEASE_RE.fullmatch(it.text):
                fixed = f'`{key}: "v{it.text}"`'  # a release is written vX.Y (VEP206)
        if it.becomes.startswith("an error"):
            yield Problem(f"{shown} is read as {it.kind} by YAML 1.1 parsers, and loading it fails "
                          f"{it.becomes[len('an error '):]}: PyYAML cannot read this front matter.",
                          line=it.line, fix=f"Quote it: {fixed}.")
            continue
        becomes = f" ({it.becomes})" if it.kind != "a date" and it.becomes not in (it.text, "?") else ""
        yield Problem(f"{shown} is read as {it.kind}{becomes} by YAML 1.1 parsers, not as the string the schema expects.",
                      line=it.line, fix=f"Quote it: {fixed}.")
