"""``owning-sig`` is the SIG whose directory holds the VEP.

**What it checks.** For a VEP under ``veps/sig-<name>/``, that ``owning-sig`` is
``sig-<name>``. Meta-VEPs (``veps/meta-VEPs/``) and documents outside a ``sig-*`` directory
are not checked; an ``owning-sig`` that is not a KubeVirt SIG at all is VEP207's.

**Why.** docs/vep-governance.md, "Getting Reviewers": "Each owning SIG maintains an
``OWNERS`` file under ``veps/<sig>/``" and Prow's blunderbuss suggests reviewers from the
``OWNERS`` file of the directory the VEP lives in (meta-VEP 282, "Migration of Existing
VEPs": VEPs move into directories "so that blunderbuss can resolve the correct OWNERS
file"). A VEP in ``veps/sig-network/`` that says ``owning-sig: sig-compute`` gets network
reviewers suggested while compute is supposed to approve it.

**Anti-pattern.** ``veps/sig-network/183-dra-network/vep.md`` with ``owning-sig: sig-compute``.

**Best practice.** Put the VEP in its owning SIG's directory and name the same SIG in
``owning-sig``; other SIGs go in ``participating-sigs``.
"""

from agent.rules import Problem
from agent.rules.vep206_field_value import usable
from agent.rules.vep207_unknown_sig import COMMUNITY_SIGS

ID = "VEP212"
NAME = "owning-sig-directory"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Getting Reviewers (OWNERS under veps/<sig>/); meta-VEP 282, Migration of Existing VEPs"
FIX = "Make owning-sig and the VEP's SIG directory agree."


def check(doc, ctx):
    fm = usable(doc)
    sig_dir = doc.info.sig_dir
    if fm is None or doc.info.is_template or doc.is_meta or not sig_dir or not sig_dir.startswith("sig-"):
        return
    owning = fm.get("owning-sig")
    if not isinstance(owning, str) or not owning.strip():
        return
    owning = owning.strip()
    if owning == sig_dir or (owning not in ctx.sigs and owning not in COMMUNITY_SIGS):
        return
    yield Problem(f"`owning-sig: {owning}` does not match the directory the VEP lives in, veps/{sig_dir}/.",
                  line=fm.line_of("owning-sig"),
                  fix=f"Write `owning-sig: {sig_dir}`, or move the VEP to veps/{owning}/.")
