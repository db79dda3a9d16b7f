"""The VEP directory is named ``<number>-<name>``: the tracking issue number, then a
lowercase, hyphenated name.

**What it checks.** For a document at ``veps/<sig>/<dir>/…``, that ``<dir>`` is the VEP
number without leading zeros, a hyphen, and a name of lowercase letters, digits and
single hyphens (``307-vhostuser-binding-plugin``).

**Why.** The VEP number is the tracking issue's number (docs/feature-lifecycle.md,
"Virtualization Enhancement Proposal"); the directory name is how people, links and tools
find a VEP, and the repository renamed every directory that broke the pattern
(``0176_redfish_support``, ``16-image volume``, ``80-TDX-SEV-SNP``, ``207-pauseProbes``).

**Anti-pattern.** ``veps/sig-compute/Live_Migration-v2/vep.md``

**Best practice.** ``veps/sig-compute/123-live-migration-v2/vep.md``, where 123 is the
tracking issue.
"""

import re

from agent.document import MAX_NUMBER_DIGITS
from agent.rules import Problem

ID = "VEP101"
NAME = "directory-name"
SEVERITY = "error"
SOURCE = "kubevirt/enhancements directory layout (veps/<sig>/<number>-<name>/vep.md); docs/feature-lifecycle.md, VEP section"
FIX = "Rename the directory to <issue-number>-<lowercase-hyphenated-name>."

#: (a number of at most MAX_NUMBER_DIGITS digits: a longer one is not a valid VEP number)
GOOD = re.compile(rf"^[1-9][0-9]{{0,{MAX_NUMBER_DIGITS - 1}}}-[a-z0-9]+(?:-[a-z0-9]+)*$")


def suggest(name: str) -> str:
    """A conforming spelling of a directory name (number kept, leading zeros dropped)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name)
    words = re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-").lower()
    m = re.match(r"^0*(\d+)-(.*)$", words)
    return f"{m[1].lstrip('0') or '0'}-{m[2]}" if m and m[2] else words  # digits kept as text: any length


def check(doc, ctx):
    info = doc.info
    if not info.vep_dir or info.is_template or GOOD.match(info.vep_dir):
        return
    name = info.vep_dir
    reasons = []
    if not re.match(r"^\d", name):
        reasons.append("does not start with the VEP number")
    elif re.match(r"^0\d", name):
        reasons.append("has leading zeros in the VEP number")
    elif re.match(rf"^\d{{{MAX_NUMBER_DIGITS + 1}}}", name):
        reasons.append(f"starts with a number of more than {MAX_NUMBER_DIGITS} digits, not a valid VEP number")
    if re.search(r"[A-Z]", name):
        reasons.append("has uppercase letters")
    if re.search(r"[_ .]", name) or re.search(r"[^A-Za-z0-9\-_ .]", name):
        reasons.append("uses separators other than single hyphens")
    if "--" in name or name.endswith("-"):
        reasons.append("has empty name parts")
    if re.match(r"^\d+$", name):
        reasons.append("has no name after the number")
    if not reasons:
        reasons.append("is not <number>-<lowercase-hyphenated-name>")
    target = suggest(name)
    fix = f"Rename `{name}/` to `{target}/`." if GOOD.match(target) else FIX
    yield Problem(f"The VEP directory `{name}` " + ", ".join(reasons) + ".", fix=fix)
