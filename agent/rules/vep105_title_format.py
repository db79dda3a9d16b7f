"""The document has an H1 title of the form ``# VEP #N: Title``.

**What it checks.** That the first H1 exists and names the VEP number and a title, as in the
template (``# VEP #NNNN: Your short, descriptive title``). ``VEP N:``, ``VEP-N:`` and
``VEP \\#N:`` are accepted spellings.

**Why.** The title is how a VEP is referred to in PRs ("title of the PR should start with
VEP-<ID>", README.md Process step 2), release notes and tracking boards.

**Anti-pattern.** ``# Probe Proxy for Manual Pausing`` or ``# VEP #Decentralized live
migration``.

**Best practice.** ``# VEP #207: Probe Proxy for Manual Pausing``.
"""

import re

from agent.document import MAX_NUMBER_DIGITS
from agent.rules import Problem

ID = "VEP105"
NAME = "title-format"
SEVERITY = "warning"
SOURCE = "veps/NNNN-vep-template/vep.md (H1); kubevirt/enhancements README.md, Process step 2"
FIX = "Start the document with `# VEP #<number>: <short descriptive title>`."


def check(doc, ctx):
    if doc.info.is_template:
        return
    title = doc.title
    number = doc.info.number
    want = f"# VEP #{number if number is not None else '<number>'}: <title>"
    if title is None:
        yield Problem("The document has no H1 title.", line=doc.body_line, fix=f"Add `{want}` as the first heading.")
    elif not title.well_formed and re.search(rf"\d{{{MAX_NUMBER_DIGITS + 1}}}", title.text):
        yield Problem(f"The title `{title.text[:40]}…` does not hold a valid VEP number: it has more than "
                      f"{MAX_NUMBER_DIGITS} digits.", line=title.line,
                      fix=f"Write the tracking issue's number: `{want}`.")
    elif not title.well_formed:
        fixed = f"# VEP #{number if number is not None else '<number>'}: {title.title or title.text}"
        yield Problem(f"The title `{title.text}` does not read `VEP #<number>: <title>`.", line=title.line,
                      fix=f"Write it as `{fixed}`.")
