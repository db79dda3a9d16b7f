"""The main document of a VEP directory is named ``vep.md``.

**What it checks.** A markdown file in ``veps/<sig>/<number>-<name>/`` that is the VEP
itself (there is no ``vep.md`` beside it) must be called ``vep.md``. Supplementary files
beside a ``vep.md`` (``passt-beta.md``, an appendix) are fine and are not checked as VEPs.

**Why.** Tools, links and reviewers find a VEP at ``<dir>/vep.md``; the template is
``veps/NNNN-vep-template/vep.md`` and older VEPs named ``vmtemplate-proposal.md`` or
``secure-execution.md`` were renamed.

**Anti-pattern.** ``veps/sig-compute/76-vmtemplates/vmtemplate-proposal.md`` alone in its
directory.

**Best practice.** ``veps/sig-compute/76-vmtemplates/vep.md``.

When the directory cannot be inspected (a historic version, standard input), a file with
neither front matter nor a ``# VEP …`` title is taken for a supplementary document.
"""

from agent.rules import Problem

ID = "VEP102"
NAME = "document-name"
SEVERITY = "error"
SOURCE = "veps/NNNN-vep-template/vep.md (the main document of a VEP directory is vep.md)"
FIX = "Rename the file to vep.md."


def check(doc, ctx):
    info = doc.info
    if not info.vep_dir or info.file_name == "vep.md" or info.is_template:
        return
    if ctx.repo_root is not None and (ctx.repo_root / info.repo_path).parent.joinpath("vep.md").is_file():
        return  # a supplementary document beside the VEP
    title = doc.title
    if doc.front_matter is None and (title is None or not title.text.upper().startswith("VEP")):
        return  # no front matter and no "VEP …" title: an appendix or design note, not the VEP itself
    yield Problem(f"The VEP document is named `{info.file_name}`, not `vep.md`.",
                  fix=f"Rename `{info.vep_dir}/{info.file_name}` to `{info.vep_dir}/vep.md`.")
