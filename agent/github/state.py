"""What a pull request review remembers between runs: finding fingerprints, which findings
the PR introduced, and the review state kept in the sticky comment.

**Fingerprint** (:func:`fingerprint`): 10 hex digits of SHA-256 over the rule ID, the VEP
(its number from ``veps/<sig>/<number>-<name>/``, else the path), the section and the
normalised quote (LLM findings) or message: lower case, whitespace folded, the file's path
and line references (``line 12``, ``L12``) removed (and, in the section, a ``#123`` number,
so that the title section ``VEP #123: …`` survives a corrected number). It is *not* the line number, so a
finding keeps its fingerprint when text above it moves, and a renamed VEP directory that
keeps its number keeps its findings' fingerprints.

**Introduced** (:func:`mark_introduced`): a finding is introduced by the PR when the PR's
diff created or touched the lines it points at, or when the same rule did not report the
same section in the base version of the document (found through renames).

**State** (:class:`ReviewState`): the head SHA reviewed, the open findings (fingerprint,
rule, name, path, severity, introduced, the start of the message) and the dismissals (who,
why), kept in the sticky comment as one hidden HTML comment
``<!-- vep-review:state v1 BASE64 -->`` (zlib-compressed JSON; base64 cannot hold ``-->``).
Only the workflow's own comment is read (:func:`agent.github.comment.find_sticky`), so
nobody else can plant a state.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field

_STATE_RE = re.compile(r"<!-- vep-review:state v1 ([A-Za-z0-9+/=]*) -->")
_VEP_DIR_RE = re.compile(r"^veps/[^/]+/(\d+)-[^/]+/")
_LINE_REF_RE = re.compile(r"(?i)\b(?:lines?\s+\d+(?:\s*[-–]\s*\d+)?|L\d+(?:-L?\d+)?)\b")
_TITLE_NUMBER_RE = re.compile(r"#\s*\d+")  # "VEP #123: Title": a number fixed in the title keeps the section
_FP_RE = re.compile(r"^[0-9a-f]{10}$")
#: Length of a fingerprint (hex digits).
FP_LEN = 10
#: Characters of a finding's message kept in the state (for "resolved since" lists).
STATE_MESSAGE_CHARS = 90
#: Characters of an LLM finding's quote kept in the state.
QUOTE_CHARS = 160
#: Dismissal reasons are cut to this length.
REASON_CHARS = 200


def vep_key(path: str) -> str:
    """``vep-123`` for ``veps/<sig>/123-name/…``, else the path itself."""
    m = _VEP_DIR_RE.match(path or "")
    return f"vep-{int(m.group(1))}" if m else (path or "")


def _normalise(text: str | None, path: str) -> str:
    s = (text or "").lower()
    if path:
        s = s.replace(path.lower(), " ")
    s = _LINE_REF_RE.sub(" ", s)
    return " ".join(s.split())


def fingerprint(f) -> str:
    """The stable fingerprint of finding ``f`` (:class:`agent.findings.Finding`): 10 hex
    digits (see the module docstring for what it covers)."""
    text = f.quote if f.origin == "llm" and f.quote else f.message
    section = _TITLE_NUMBER_RE.sub("#n", " ".join((f.section or "").lower().split()))
    key = "\0".join((f.rule, vep_key(f.path), section, _normalise(text, f.path)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:FP_LEN]


def is_fingerprint(text: str) -> bool:
    """``text`` looks like a fingerprint (10 lower-case hex digits)."""
    return bool(_FP_RE.match(text or ""))


# --------------------------------------------------------------------------- introduced


def touched_lines(base_text: str | None, head_text: str) -> set[int]:
    """1-based lines of ``head_text`` that the change from ``base_text`` created or
    modified (``difflib`` on lines, as a unified diff shows them); every line when there is
    no base version."""
    head_lines = head_text.splitlines()
    if base_text is None:
        return set(range(1, len(head_lines) + 1))
    sm = difflib.SequenceMatcher(None, base_text.splitlines(), head_lines, autojunk=False)
    out: set[int] = set()
    for tag, _i1, _i2, j1, j2 in sm.get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1 + 1, j2 + 1))
    return out


def _span(f) -> range:
    end = (f.extra or {}).get("end_line") if isinstance(f.extra, dict) else None
    end = end if isinstance(end, int) and end >= (f.line or 0) else f.line
    return range(f.line, (end or f.line) + 1) if f.line else range(0)


def mark_introduced(findings: list, base_findings: list | None, touched: set[int]) -> list:
    """``findings`` (of the head version of one document) with ``introduced`` set.

    A finding is introduced when one of its lines is in ``touched``, or, for a deterministic
    finding, when the base version had fewer findings of the same rule in the same section
    (``base_findings``: the checks run on the base version at its own path; ``None`` when the
    document is new, then everything is introduced). LLM findings are not computed at the
    base: only their lines decide.
    """
    if base_findings is None:
        return [f._replace(introduced=True) for f in findings]
    available = Counter((b.rule, b.section) for b in base_findings)
    on_touched = [any(n in touched for n in _span(f)) for f in findings]
    verdict: list[bool] = [True] * len(findings)
    for i, f in enumerate(findings):  # untouched findings claim the base's findings first
        if on_touched[i]:
            continue
        if f.origin == "llm":
            verdict[i] = False
            continue
        key = (f.rule, f.section)
        if available[key] > 0:
            available[key] -= 1
            verdict[i] = False
    return [f._replace(introduced=v) for f, v in zip(findings, verdict)]


# --------------------------------------------------------------------------- state


@dataclass
class ReviewState:
    """The review state kept in the sticky comment.

    Attributes:
        head: the head SHA the comment reviewed ("" for a comment of an older release).
        base: the base SHA it compared with.
        mode: ``check`` or ``full``.
        findings: fingerprint -> ``{"rule", "name", "path", "severity", "introduced", "message"}``
            of every open (not dismissed) finding.
        dismissed: fingerprint -> ``{"by", "reason", "rule", "name", "path", "message"}``.
        renamed: how many VEP documents the PR only renamed (for the counts line).
    """

    head: str = ""
    base: str = ""
    mode: str = "check"
    findings: dict[str, dict] = field(default_factory=dict)
    dismissed: dict[str, dict] = field(default_factory=dict)
    renamed: int = 0

    def to_dict(self) -> dict:
        """The state as JSON-ready data (also the ``comment.state`` of ``--format json``)."""
        return {"head": self.head, "base": self.base, "mode": self.mode, "findings": self.findings,
                "dismissed": self.dismissed, "renamed_only": self.renamed}

    def marker(self) -> str:
        """The hidden HTML comment that carries the state."""
        paths = sorted({e.get("path", "") for e in (*self.findings.values(), *self.dismissed.values())})
        index = {p: i for i, p in enumerate(paths)}
        compact = {
            "h": self.head, "b": self.base, "m": self.mode, "r": self.renamed, "p": paths,
            "f": [[fp, e.get("rule", ""), e.get("name", ""), index[e.get("path", "")], e.get("severity", "")[:1],
                   1 if e.get("introduced") else 0, e.get("message", "")[:STATE_MESSAGE_CHARS],
                   *([e["quote"][:QUOTE_CHARS]] if e.get("quote") else [])]
                  for fp, e in self.findings.items()],
            "d": [[fp, e.get("by", ""), e.get("reason", "")[:REASON_CHARS], e.get("rule", ""), e.get("name", ""),
                   index[e.get("path", "")], e.get("message", "")[:STATE_MESSAGE_CHARS]]
                  for fp, e in self.dismissed.items()],
        }
        raw = json.dumps(compact, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return f"<!-- vep-review:state v1 {base64.b64encode(zlib.compress(raw, 9)).decode()} -->"

    def put(self, body: str) -> str:
        """``body`` (a comment) with its state marker replaced by this state's (unchanged
        when it has none)."""
        return _STATE_RE.sub(lambda _m: self.marker(), body, count=1)

    @classmethod
    def parse(cls, body: str | None) -> ReviewState | None:
        """The state in a comment body, or ``None`` (no state, or one that cannot be read:
        a damaged state is ignored, never fatal)."""
        m = _STATE_RE.search(body or "")
        if not m:
            return None
        try:
            data = json.loads(zlib.decompress(base64.b64decode(m.group(1), validate=True), bufsize=1 << 16))
            paths = [str(p) for p in data.get("p", [])]
            sev = {"e": "error", "w": "warning", "i": "info"}
            findings = {}
            for fp, r, n, pi, s, i, msg, *quote in data.get("f", []):
                findings[str(fp)] = {"rule": str(r), "name": str(n), "path": paths[int(pi)],
                                     "severity": sev.get(s, "warning"), "introduced": bool(i), "message": str(msg)}
                if quote:
                    findings[str(fp)]["quote"] = str(quote[0])
            dismissed = {str(fp): {"by": str(by), "reason": str(reason), "rule": str(r), "name": str(n),
                                   "path": paths[int(pi)], "message": str(msg)}
                         for fp, by, reason, r, n, pi, msg in data.get("d", [])}
            return cls(str(data.get("h", "")), str(data.get("b", "")), str(data.get("m", "check")), findings, dismissed,
                       int(data.get("r", 0)))
        except (ValueError, TypeError, IndexError, KeyError, AttributeError, zlib.error, binascii.Error):
            return None


def state_entry(f) -> dict:
    """The state's record of finding ``f``; an LLM finding also keeps the start of its quote
    (to tell, on an update, whether the text it is about is still there)."""
    entry = {"rule": f.rule, "name": f.name, "path": f.path, "severity": f.severity.value,
             "introduced": bool(f.introduced), "message": " ".join(f.message.split())[:STATE_MESSAGE_CHARS]}
    if f.origin == "llm" and f.quote:
        entry["quote"] = " ".join(f.quote.split())[:QUOTE_CHARS]
    return entry


def quote_still_there(entry: dict, text: str) -> bool:
    """Whether the quote kept in a state record (whitespace folded) is still in ``text``."""
    quote = entry.get("quote") or ""
    return bool(quote) and quote in " ".join(text.split())


@dataclass
class Delta:
    """How the open findings changed since the previous review.

    Attributes:
        since: the head SHA of the previous review ("" when there was none).
        new: fingerprints open now and not then.
        resolved: fingerprint -> previous record, open then, gone now (not dismissed).
        still_open: fingerprints open then and now.
    """

    since: str = ""
    new: set[str] = field(default_factory=set)
    resolved: dict[str, dict] = field(default_factory=dict)
    still_open: set[str] = field(default_factory=set)


def compare(previous: ReviewState | None, current: dict[str, dict]) -> Delta | None:
    """Compare the open findings ``current`` (fingerprint -> record) with ``previous``;
    ``None`` without a previous state."""
    if previous is None:
        return None
    before = previous.findings
    return Delta(since=previous.head,
                 new={fp for fp in current if fp not in before},
                 resolved={fp: e for fp, e in before.items() if fp not in current and fp not in previous.dismissed},
                 still_open={fp for fp in current if fp in before})
