"""Files other than markdown live inside a VEP directory, not loose under ``veps/``.

**What it checks.** That an image, diagram or any other file that is not a markdown
document is not placed directly under ``veps/`` or directly under ``veps/<sig>/``, outside
every ``<number>-<name>/`` VEP directory (the SIG's ``OWNERS`` file is the one exception).
The rule runs on such files when they are named on the command line, found in a directory
that is checked, or changed by a pull request; markdown documents are VEP103's.

**Why.** kubevirt/enhancements' naming check (``.github/scripts/check-vep-naming.py``,
run on every pull request) fails any changed file under ``veps/<sig>/`` that is not inside
a ``<number>-<name>/`` directory: "VEP files must be inside a <number>-<name>/ directory".
Meta-VEP 282 ("Migration of Existing VEPs") moves each VEP, with its images, into its own
directory so that the directory holds everything that belongs to the VEP and blunderbuss
resolves its OWNERS file.

**Anti-pattern.** ``veps/sig-compute/vm-pool-architecture.png`` beside the VEP that shows it.

**Best practice.** ``veps/sig-compute/69-vmpool/vm-pool-architecture.png``, linked from
``veps/sig-compute/69-vmpool/vep.md`` as ``![architecture](vm-pool-architecture.png)``.
"""

from agent.rules import Problem

ID = "VEP106"
NAME = "stray-file"
SEVERITY = "error"
SOURCE = ("kubevirt/enhancements .github/scripts/check-vep-naming.py; "
          "veps/meta-VEPs/282-vep-proposal-governance/vep.md, Migration of Existing VEPs")
FIX = "Move the file into the directory of the VEP that uses it: veps/<sig>/<issue-number>-<name>/."
#: Runs on files that are not markdown documents too (they get only such rules).
ANY_FILE = True

#: Files that belong directly under ``veps/<sig>/`` or ``veps/``.
ALLOWED = frozenset({"OWNERS", "OWNERS_ALIASES"})


def is_markdown(name: str) -> bool:
    """A markdown file name (``.md``, ``.markdown``), case-insensitive."""
    return name.lower().endswith((".md", ".markdown"))


def is_stray(repo_path: str) -> bool:
    """``repo_path`` is a file other than markdown directly under ``veps/`` or
    ``veps/<sig>/`` (and not an OWNERS file)."""
    parts = repo_path.split("/")
    return parts[0] == "veps" and len(parts) in (2, 3) and not is_markdown(parts[-1]) and parts[-1] not in ALLOWED


def check(doc, ctx):
    info = doc.info
    if not info.in_veps or info.is_template or not is_stray(info.repo_path):
        return
    if info.sig_dir is None:
        yield Problem(f"`{info.repo_path}` is directly under `veps/`, outside any SIG and VEP directory.",
                      fix=f"Move it into the directory of the VEP that uses it: "
                          f"`veps/<owning-sig>/<issue-number>-<name>/{info.file_name}`.")
    else:
        yield Problem(f"`{info.repo_path}` is directly under `veps/{info.sig_dir}/`, not inside a VEP directory.",
                      fix=f"Move it into the directory of the VEP that uses it: "
                          f"`veps/{info.sig_dir}/<issue-number>-<name>/{info.file_name}`, and update the links to it.")
