"""A VEP lives in its own directory: ``veps/<sig>/<number>-<name>/vep.md``.

**What it checks.** That a VEP document under ``veps/`` is exactly three levels deep:
nothing directly under ``veps/`` or ``veps/<sig>/`` (the old flat layout,
``veps/sig-network/decouple-nad.md``), and no deeper nesting.

**Why.** Meta-VEP 282 ("Migration of Existing VEPs", step 2) converts single-file VEPs to
the directory format "for consistency and so that blunderbuss can resolve the correct
OWNERS file"; the directory also holds the VEP number.

**Anti-pattern.** ``veps/sig-compute/vm-pool.md``

**Best practice.** ``veps/sig-compute/69-vmpool/vep.md``
"""

from agent.rules import Problem

ID = "VEP103"
NAME = "document-location"
SEVERITY = "error"
SOURCE = "veps/meta-VEPs/282-vep-proposal-governance/vep.md, Migration of Existing VEPs (step 2)"
FIX = "Move the file to veps/<sig>/<issue-number>-<name>/vep.md."


def check(doc, ctx):
    info = doc.info
    if not info.in_veps or info.is_template:
        return
    depth = len(info.repo_path.split("/"))
    stem = info.file_name.rsplit(".", 1)[0]
    if depth == 2:
        yield Problem(f"`{info.repo_path}` is directly under `veps/`, outside any SIG directory.",
                      fix=f"Move it to `veps/<owning-sig>/<issue-number>-{stem.lower()}/vep.md`.")
    elif depth == 3:
        yield Problem(f"`{info.repo_path}` is directly under `veps/{info.sig_dir}/` (flat layout), not in a VEP directory.",
                      fix=f"Move it to `veps/{info.sig_dir}/<issue-number>-{stem.lower().replace('_', '-')}/vep.md`.")
    elif depth > 4:
        yield Problem(f"`{info.repo_path}` is nested below the VEP directory `{info.vep_dir}/`.",
                      fix=f"Move the main document to `veps/{info.sig_dir}/{info.vep_dir}/vep.md`.")
