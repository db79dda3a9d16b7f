"""The VEP starts with a VEP-282 front matter block.

**What it checks.** That the document opens with a YAML front matter block (a ``---`` line
as the very first line, the schema's fields, a closing ``---``). A VEP without one is:

- a **warning** ("not yet migrated to VEP-282 front matter") when it is an existing VEP:
  meta-VEP 282, "Update/Rollback Compatibility", has the validator warn on existing VEPs
  while the SIG chairs migrate them ("Migration of Existing VEPs");
- an **error** when the VEP is new: configured so (``new: true`` in ``.vep-review.yaml``,
  ``--new``), or absent from the base version (``--base``): "only enforces on new PRs".

A block that starts below the first line (after the H1, or after blank lines) is not front
matter to any parser; it is reported at its ``---`` line. A document whose base version had
front matter is VEP202's (front-matter-removed), not this rule's. The VEP template and
supplementary documents beside a ``vep.md`` (appendices, "Part 2" beta documents) are not
checked: the front matter belongs to ``vep.md``. The fix shows the minimal block, with the directory's VEP number, SIG and the H1's
title filled in where known.

**Why.** docs/vep-governance.md: "This axis is captured in a YAML front matter block at the
top of every ``vep.md``. The front matter is the single source of truth for a VEP's
governance state". Meta-VEP 282, "CI Enforcement", Action 1: "Front matter is present and
valid YAML".

**Anti-pattern.** A new VEP that keeps only the old "Target releases" bullets, or a front
matter block pasted below ``# VEP #123: …``.

**Best practice.** Start ``vep.md`` with the schema block of docs/vep-governance.md (at least
title, vep-number, creation-date, status, authors, owning-sig, reviewers, approvers) and
keep the markdown body below it.
"""

from __future__ import annotations

import re

from agent.rules import Problem

ID = "VEP201"
NAME = "front-matter-missing"
SEVERITY = "error"
LEGACY_SEVERITY = "warning"
SOURCE = ("docs/vep-governance.md, Front Matter Schema; meta-VEP 282, CI Enforcement (front matter is present) "
          "and Update/Rollback Compatibility (warn on existing VEPs, enforce on new ones)")
FIX = "Add the front matter block of docs/vep-governance.md at the top of the file."

#: Schema keys that, right after a ``---`` line, betray a misplaced front matter block.
_SCHEMA_KEY_RE = re.compile(r"(title|vep-number|creation-date|status|authors|owning-sig|reviewers|approvers)\s*:")
_SAFE_PLAIN_RE = re.compile(r"[A-Za-z0-9(][^:#\"'`\[\]{}|>&*!%@]*")


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: plain when safe, else double-quoted."""
    text = " ".join(text.split())
    if _SAFE_PLAIN_RE.fullmatch(text) and not text.endswith(" "):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def minimal_block(doc, ctx) -> str:
    """The smallest front matter the schema accepts for ``doc`` (VEP205's required
    fields), with what the path and H1 tell filled in.

    Returns:
        the block, ``---`` lines included, LF-separated.
    """
    number = doc.info.number
    if number is None and doc.title is not None:
        number = doc.title.number
    title = doc.title.title if doc.title is not None and doc.title.title else "Short descriptive title"
    sig = doc.info.sig_dir if doc.info.sig_dir and doc.info.sig_dir.startswith("sig-") else "sig-<name>"
    created = f'"{ctx.today.isoformat()}"' if ctx.new else '"YYYY-MM-DD"   # the day the VEP was proposed'
    status = "provisional" if ctx.new else "provisional     # SIG chairs set it: provisional, implementable or implemented"
    return "\n".join([
        "---",
        f"title: {_yaml_text(title)}",
        f"vep-number: {number if number is not None else 'NNNN   # the tracking issue number'}",
        f"creation-date: {created}",
        f"status: {status}",
        "authors:",
        '  - "@github-handle"',
        f"owning-sig: {sig}",
        "reviewers:",
        "  - TBD",
        "approvers:",
        "  - TBD",
        "---",
    ])


def _misplaced_block(doc) -> int | None:
    """Line of a ``---`` line below line 1 that opens what looks like front matter: outside
    code fences, closed by another ``---`` within 60 lines, with at least two schema keys
    at the start of lines in between."""
    if "\n---" not in doc.text:
        return None  # no "---" line at all (the common case): skip the line scan
    lines = doc.lines
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or i == 0 or line.strip() != "---":
            continue
        keys = set()
        for later in lines[i + 1 : i + 61]:
            if later.strip() == "---":
                if len(keys) >= 2:
                    return i + 1
                break
            m = _SCHEMA_KEY_RE.match(later)
            if m:
                keys.add(m[1])
    return None


def _supplementary(doc, ctx) -> bool:
    """A document beside the VEP's ``vep.md`` (an appendix, a "Part 2" for beta): the
    governance state lives in ``vep.md``. When the directory cannot be seen, a file not
    named ``vep.md`` without a ``# VEP …`` title is taken for one (as VEP102 does)."""
    info = doc.info
    if not info.vep_dir or info.file_name == "vep.md":
        return False
    if ctx.repo_root is not None:
        return (ctx.repo_root / info.repo_path).parent.joinpath("vep.md").is_file()
    return doc.title is None or not doc.title.text.upper().startswith("VEP")


def check(doc, ctx):
    if doc.front_matter is not None or doc.info.is_template or _supplementary(doc, ctx):
        return
    if ctx.base is not None and ctx.base.front_matter is not None:
        return  # VEP202 front-matter-removed
    block = minimal_block(doc, ctx)
    misplaced = _misplaced_block(doc)
    if misplaced is not None:
        yield Problem(f"A front matter block starts at line {misplaced}, but front matter is only read when its "
                      "`---` is the first line of the file.", line=misplaced,
                      fix="Move the block, from `---` to `---`, to the very top of the file, above the H1.")
        return
    if ctx.new:
        message = "The VEP has no front matter; a new VEP must start with the VEP-282 front matter block."
    else:
        message = "The VEP is not yet migrated to VEP-282 front matter."
    yield Problem(message, line=1, fix=f"Add this block as the first lines of the file:\n{block}")
