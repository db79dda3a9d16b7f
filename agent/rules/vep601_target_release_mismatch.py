"""The target releases in the body agree with the front matter's ``milestone``.

**What it checks.** In a VEP with front matter, every target release still written in the
body must name the same release as ``milestone.<stage>``:

- "This VEP targets alpha for version: v1.7" lines (also "targeted", "GA", a version followed
  by a remark, anywhere in the body: the template's "Target releases" section, or a second one
  per feature gate);
- lines of the "Target releases" / "VEP Status Metadata" / "Release Signoff Checklist" sections
  that start with a stage and give a version: ``- Beta: v1.9``, ``- [x] (R) Beta target
  version is explicitly mentioned and approved: v1.9``.

Versions are compared as releases, major and minor only: ``v1.9``, ``1.9`` and ``v1.9.0``
are the same release. Values that are empty, ``N/A``, ``TBD`` (or another placeholder such as
``v1.x``), or not a version at all are ignored on either side, and so is a stage the front
matter has no milestone for; a struck-through line (``~This VEP targets alpha …~``) is
ignored. An **error**, at the body line, naming both values. VEPs without front matter have
nothing to disagree with and are not checked.

**Why.** Meta-VEP 282 makes the front matter "the single source of truth" for a VEP's
governance state; its milestone block "replaces the existing "Target releases" prose section
and "Release Signoff Checklist" in the template body", and the release team and the VEP
Freeze enforcer read ``milestone.*``. When a migrated VEP keeps the old prose and only one of
the two is updated, readers and tools disagree about which release the VEP is tracked for.

**Anti-pattern.** ``milestone: {alpha: "v1.8"}`` in the front matter while the body still says
"This VEP targets alpha for version: v1.7".

**Best practice.** Keep the release only in ``milestone`` and delete the "Target releases"
prose when migrating to front matter; if both stay, update them together.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from agent.document import MAX_NUMBER_DIGITS, prose_lines, small_int
from agent.rules import Problem

ID = "VEP601"
NAME = "target-release-mismatch"
SEVERITY = "error"
SOURCE = ("meta-VEP 282 (veps/meta-VEPs/282-vep-proposal-governance), VEP Front Matter; "
          "docs/vep-governance.md, Front Matter Schema (milestone)")
FIX = "Make the body's target release and the front matter's `milestone` name the same release."

STAGES = ("alpha", "beta", "ga")
_TARGET_LINE_RE = re.compile(  # (the lookahead lets the engine skip to a "t" quickly)
    r"(?=[tT])\bThis\s+VEP\s+target(?:s|ed)?\s+(?P<stage>alpha|beta|GA|general\s+availability)\s+"
    r"(?:(?:for|in|at|with)\s+)?(?:(?:the\s+)?(?:version|release)\s*)?:?\s*(?P<value>[^\n~]*)", re.I)
_STAGE_LINE_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?(?:\(R\)\s*)?(?P<stage>alpha|beta|GA)\b[^:\n]{0,80}:\s*(?P<value>v?\d[^\n~]*)",
    re.I)
_METADATA_SECTIONS = {"target releases", "vep status metadata", "release signoff checklist"}
_VERSION_RE = re.compile(r"^\s*+[*_`\"']*+v?\.?(\d+)\.(\d+)(?:\.\d+)?\b", re.I)
_LONG_VERSION_RE = re.compile(rf"^\s*+[*_`\"']*+v?\.?\d+\.\d+", re.I)


def parse_version(value) -> tuple[int, int] | None:
    """``"v1.9"``, ``"1.9"``, ``"v1.9.0"`` -> ``(1, 9)``; placeholders, non-strings and
    text that does not start with a version -> ``None``."""
    if not isinstance(value, str):
        return None
    m = _VERSION_RE.match(value)
    if not m:
        return None
    major, minor = small_int(m.group(1)), small_int(m.group(2))
    return (major, minor) if major is not None and minor is not None else None  # too long: not a release


def show(version: tuple[int, int]) -> str:
    """``(1, 9)`` -> ``"v1.9"``."""
    return f"v{version[0]}.{version[1]}"


def _stage(word: str) -> str:
    word = word.lower()
    return "ga" if word.startswith(("ga", "general")) else word


class BodyTarget(NamedTuple):
    """A target release written in the body.

    Attributes:
        stage: ``"alpha"``, ``"beta"`` or ``"ga"``.
        value: the text after the stage, as written (stripped).
        version: :func:`parse_version` of it, ``None`` for placeholders and other text.
        line: 1-based file line.
        struck: the line is struck through (``~…~``).
    """

    stage: str
    value: str
    version: tuple[int, int] | None
    line: int
    struck: bool


def body_targets(doc) -> list[BodyTarget]:
    """Target releases in the body (see the rule's documentation), HTML comments and fenced
    code ignored, in document order. Never raises."""
    return list(iter_body_targets(doc))


def iter_body_targets(doc):
    """:func:`body_targets` one at a time (callers that need only the first stop early)."""
    for line, raw in prose_lines(doc.text, doc.body_line, doc.body_start):  # (no copy of the body)
        if ":" not in raw and "arget" not in raw and "ARGET" not in raw:
            continue  # neither pattern can match: skip the regular expressions
        matches = list(_TARGET_LINE_RE.finditer(raw)) if "target" in raw.lower() else []
        if not matches:
            m = _STAGE_LINE_RE.match(raw)
            section = doc.section_at(line) if m else None
            matches = [m] if section is not None and section.key in _METADATA_SECTIONS else []
        for m in matches:
            value = m.group("value").strip().rstrip(".*_ ").strip()
            struck = "~" in raw[: m.start()] and "~" in raw[m.end():] or raw.strip().startswith("~")
            yield BodyTarget(_stage(m.group("stage")), value, parse_version(value), line, struck)


def milestones(doc) -> dict[str, tuple[tuple[int, int], str, int]]:
    """The front matter's ``milestone`` entries that name a release: stage ->
    (version, value as written, file line). Empty without front matter or when
    ``milestone`` is not a mapping."""
    fm = doc.front_matter
    if fm is None or fm.error is not None or not isinstance(fm.data, dict):
        return {}
    block = fm.data.get("milestone")
    if not isinstance(block, dict):
        return {}
    out = {}
    for stage in STAGES:
        value = block.get(stage)
        version = parse_version(value)
        if version is not None:
            out[stage] = (version, str(value).strip(), fm.line_of(f"milestone.{stage}"))
    return out


def check(doc, ctx):
    if doc.info.is_template or doc.front_matter is None:
        return
    for t in body_targets(doc):
        if t.version is None and not t.struck and _LONG_VERSION_RE.match(t.value) \
                and re.search(rf"\d{{{MAX_NUMBER_DIGITS + 1}}}", t.value.split()[0]):
            label = "GA" if t.stage == "ga" else t.stage
            yield Problem(f"The body's {label} target `{t.value[:40]}…` is not a valid release: a number of more "
                          f"than {MAX_NUMBER_DIGITS} digits.", line=t.line,
                          fix="Name the KubeVirt minor release (`v1.9`), as `milestone` does in the front matter.")
    fm_versions = milestones(doc)
    if not fm_versions:
        return
    for t in body_targets(doc):
        if t.struck or t.version is None or t.stage not in fm_versions:
            continue
        fm_version, fm_value, _ = fm_versions[t.stage]
        if t.version != fm_version:
            label = "GA" if t.stage == "ga" else t.stage
            yield Problem(
                f"The body targets {label} for {t.value.split()[0]} but the front matter's "
                f"milestone.{t.stage} is {fm_value}.",
                line=t.line,
                fix=f"Make this line and `milestone.{t.stage}` name the same release, or delete the Target releases "
                    "prose: the front matter replaces it (meta-VEP 282).",
            )
