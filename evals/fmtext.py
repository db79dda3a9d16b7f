"""Small, line-preserving edits of a VEP's YAML front matter, and a minimal front matter for
legacy VEPs (used by :mod:`evals.mutators`).

The edits work on the text, not on re-dumped YAML, so that a mutation changes only the
lines it means to change (comments, quoting and key order stay as the author wrote them).
A top-level entry is its ``key:`` line plus the lines that continue it (indented lines,
``- item`` lines and blank lines before the next key).
"""

from __future__ import annotations

import json
import re

from agent.document import VepDocument, parse

_KEY_RE = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*:(.*)$")


class NoFrontMatter(ValueError):
    """The text has no (terminated) front matter block."""


def split(text: str) -> tuple[list[str], list[str], list[str]]:
    """``text`` -> (front matter lines without delimiters, ``["---", ..., "---"]`` wrapper
    kept out, body lines).

    Raises:
        NoFrontMatter: no ``---`` first line or no closing ``---``.
    """
    lines = text.split("\n")
    if not lines or not re.fullmatch(r"-{3,}\s*", lines[0]):
        raise NoFrontMatter("no front matter")
    for i in range(1, len(lines)):
        if re.fullmatch(r"-{3,}\s*", lines[i]):
            return lines[1:i], [lines[0], lines[i]], lines[i + 1 :]
    raise NoFrontMatter("front matter is not terminated")


def join(fm: list[str], delims: list[str], body: list[str]) -> str:
    """Inverse of :func:`split`."""
    return "\n".join([delims[0], *fm, delims[1], *body])


def has_front_matter(text: str) -> bool:
    """Whether ``text`` starts with a terminated front matter block."""
    try:
        split(text)
    except NoFrontMatter:
        return False
    return True


def _entry(fm: list[str], key: str) -> tuple[int, int] | None:
    """(first, end) line indexes of the top-level entry ``key`` in ``fm`` (end exclusive)."""
    for i, line in enumerate(fm):
        m = _KEY_RE.match(line)
        if m and m.group(1) == key:
            end = i + 1
            while end < len(fm):
                nxt = fm[end]
                if nxt.startswith((" ", "\t", "-")) or not nxt.strip():
                    end += 1
                    continue
                break
            # trailing blank lines belong to the layout, not to the entry
            while end > i + 1 and not fm[end - 1].strip():
                end -= 1
            return i, end
    return None


def milestones(text: str) -> dict[str, str]:
    """The ``milestone`` mapping of the front matter as written: stage -> value (quotes
    removed); empty when there is none."""
    fm, _, _ = split(text)
    span = _entry(fm, "milestone")
    out: dict[str, str] = {}
    if span is not None:
        for line in fm[span[0] + 1 : span[1]]:
            m = re.match(r"\s+([A-Za-z]+)\s*:\s*(.*?)\s*(#.*)?$", line)
            if m:
                out[m.group(1)] = m.group(2).strip("\"'")
    return out


def get_scalar(text: str, key: str) -> str | None:
    """The value written on the ``key:`` line (quotes and trailing comment removed), or
    ``None`` when the key is absent or has no inline value."""
    fm, _, _ = split(text)
    span = _entry(fm, key)
    if span is None:
        return None
    value = _KEY_RE.match(fm[span[0]]).group(2)
    value = re.sub(r"\s+#.*$", "", value).strip()
    if not value:
        return None
    return value.strip("\"'")


def set_entry(text: str, key: str, value, after: str | None = None) -> str:
    """Set the top-level ``key`` to ``value`` (a string, list of strings or dict of strings,
    written as YAML with double-quoted strings); a new key goes after the entry ``after``
    when given and present, else at the end of the block."""
    fm, delims, body = split(text)
    new = render_entry(key, value)
    span = _entry(fm, key)
    if span is not None:
        fm[span[0] : span[1]] = new
    else:
        pos = len(fm)
        if after is not None and (a := _entry(fm, after)) is not None:
            pos = a[1]
        fm[pos:pos] = new
    return join(fm, delims, body)


def remove_entry(text: str, key: str) -> str:
    """Remove the top-level ``key`` (and the lines continuing it); a no-op when absent."""
    fm, delims, body = split(text)
    span = _entry(fm, key)
    if span is not None:
        del fm[span[0] : span[1]]
    return join(fm, delims, body)


def render_entry(key: str, value) -> list[str]:
    """YAML lines for one top-level entry."""
    if isinstance(value, dict):
        return [f"{key}:", *(f"  {k}: {_q(v)}" for k, v in value.items())]
    if isinstance(value, (list, tuple)):
        if not value:
            return [f"{key}: []"]
        return [f"{key}:", *(f"  - {_q(v)}" for v in value)]
    return [f"{key}: {_q(value)}"]


def _q(value) -> str:
    if value is None:
        return '""'
    text = str(value)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", text) and text.lower() not in {"yes", "no", "on", "off", "true", "false", "null"}:
        return text
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def strip_front_matter(text: str) -> str:
    """The body alone (leading blank lines kept as they were after the block)."""
    _, _, body = split(text)
    return "\n".join(body)


# -- a minimal front matter for legacy VEPs -------------------------------------------------

_TARGET_RE = re.compile(r"targets\s+(alpha|beta|GA)\s+for\s+version:\s*v?(\d+\.\d+)", re.I)
_GATE_WORD = r"(?:feature[ -]?gates?|FeatureGates?|FG)\b"
_GATE_RES = (
    re.compile(_GATE_WORD + r"[^`.]{0,40}?`([A-Za-z][A-Za-z0-9]+)`", re.I),        # feature gate named `Foo`
    re.compile(r"`([A-Za-z][A-Za-z0-9]+)`[^`.\n]{0,30}" + _GATE_WORD, re.I),      # `Foo` feature gate
    re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[A-Z][A-Z0-9]{1,})\s+" + _GATE_WORD),  # FooBar / SEV feature gate
    re.compile(r"featureGates:\s*\n\s*-\s*\"?([A-Za-z][A-Za-z0-9]+)"),                  # featureGates: [- Foo]
)
_OPT_OUT_RE = re.compile(
    r"\b(?:no|not|without|does\s+not\s+(?:have|need|require)|doesn't\s+(?:have|need|require))\b[^.\n]{0,60}"
    r"feature[ -]?gate", re.I)


def body_feature_gate(doc: VepDocument) -> str | None:
    """The feature gate a VEP's body names: a word in backticks next to "feature gate" /
    "FeatureGate" / "FG" (line breaks allowed), a CamelCase or upper-case word right before
    it, or an entry of a ``featureGates:`` list; ``None`` when there is none."""
    for rx in _GATE_RES:
        m = rx.search(doc.body)
        if m:
            return m.group(1)
    return None


def body_opts_out(doc: VepDocument) -> bool:
    """Whether the body says there is no feature gate ("does not have … a feature gate",
    "no feature gate", "without a feature gate")."""
    return bool(_OPT_OUT_RE.search(doc.body))


def feature_gate_name(doc: VepDocument) -> str:
    """:func:`body_feature_gate`, else a CamelCase name made from the directory name."""
    named = body_feature_gate(doc)
    if named:
        return named
    words = re.findall(r"[A-Za-z0-9]+", doc.info.name or "Feature")
    return "".join(w[:1].upper() + w[1:] for w in words)


def minimal_front_matter(text: str, repo_path: str, creation_date: str = "2025-01-01") -> str:
    """``text`` (a legacy VEP without front matter) with a minimal, valid front matter
    block in front of it, as a migration to VEP-282 would add it:

    - ``title``, ``vep-number`` from the H1 and the directory;
    - ``status: provisional`` with ``reviewers``/``approvers`` ``[TBD]`` (allowed while
      provisional, docs/vep-governance.md "Field Rules by Status");
    - ``owning-sig`` from the directory, ``participating-sigs: []``;
    - ``feature-gate`` named as the body names it (:func:`feature_gate_name`), omitted for
      meta-VEPs (exempt) and for VEPs whose body opts out of a gate (:func:`body_opts_out`)
      without naming one;
    - ``milestone`` from the body's "This VEP targets alpha/beta/GA for version: vX.Y"
      lines, when there are any.

    Raises:
        ValueError: ``text`` already has front matter.
    """
    if has_front_matter(text):
        raise ValueError("the document already has front matter")
    doc = parse(text, repo_path, repo_path)
    title = doc.title.title if doc.title is not None and doc.title.title else (doc.info.name or "Untitled")
    number = doc.info.number if doc.info.number is not None else (doc.title.number if doc.title else None)
    lines: list[str] = []
    lines += render_entry("title", title)
    if number is not None:
        lines.append(f"vep-number: {number}")
    lines += render_entry("creation-date", creation_date)
    lines.append("status: provisional")
    lines.append("")
    lines += render_entry("authors", ["@vep-author"])
    lines.append("")
    sig = doc.info.sig_dir if doc.info.sig_dir and doc.info.sig_dir.startswith("sig-") else "sig-compute"
    lines.append(f"owning-sig: {sig}")
    lines.append("participating-sigs: []")
    lines.append("")
    lines += render_entry("reviewers", ["TBD"])
    lines += render_entry("approvers", ["TBD"])
    lines.append("")
    if not doc.is_process and (body_feature_gate(doc) or not body_opts_out(doc)):
        lines.append(f"feature-gate: {feature_gate_name(doc)}")
    milestone: dict[str, str] = {}
    for stage, version in _TARGET_RE.findall(doc.body):
        milestone.setdefault(stage.lower(), f"v{version}")
    if milestone:
        lines += render_entry("milestone", milestone)
    lines.append("")
    lines += render_entry("replaces", "")
    lines += render_entry("superseded-by", "")
    return "\n".join(["---", *lines, "---", "", text])
