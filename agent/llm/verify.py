"""Grounding of the LLM findings: nothing the model says reaches the report unless its quote
is found in the VEP.

For each finding of each reviewer:

1. **Locate the quote** in the sanitised VEP text (:func:`agent.llm.sanitize.sanitize`: what the
   model was shown). Both sides are normalised the same way: Unicode NFKC, typographic quotes and
   dashes folded to ASCII, every run of whitespace (line breaks included) to one space. When that
   exact search fails, a lenient one also ignores markdown emphasis and code marks (`` ` * _ ``)
   and letter case. A quote shorter than :data:`MIN_QUOTE_CHARS` must equal a whole heading (a
   short quote matches too many places to point at one). Several occurrences: the one inside the
   section the model named, else the first.
2. **Compute the line ourselves** from where the quote was found (never the model's say), and
   the section from the document's headings. The finding's ``quote`` becomes the document's own
   text at that place.
3. **Drop and count** findings whose quote is not found (``dropped_unverified``), findings below
   the confidence floor, duplicates of a deterministic finding (same concern category in the same
   section, or within :data:`NEAR_LINES` lines) and duplicates between reviewers (same category
   within :data:`NEAR_LINES` lines: the more confident one stays).
4. **Cap** each reviewer's findings (warnings first, then by confidence).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from agent.document import normalize_heading
from agent.findings import Finding, Severity
from agent.llm.sanitize import sanitize

#: Shortest quote accepted unless it is a whole heading.
MIN_QUOTE_CHARS = 10
#: Two findings this many lines apart or closer, with the same category, are the same concern.
NEAR_LINES = 2

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                       "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                       "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
                       "\u2212": "-", "\u00a0": " "})
_MARKUP = set("`*_")

#: Deterministic rule family (hundreds digit of VEPnnn) -> the concern category it is about.
FAMILY_CATEGORY = {"0": "template", "1": "template", "2": "template", "3": "lifecycle-graduation",
                   "4": "template", "5": "feature-gate", "6": "lifecycle-graduation"}


@dataclass(frozen=True)
class Location:
    """Where a quote was found: 1-based first and last file line, the matched document text
    (whitespace collapsed), and ``exact`` (False when found only by the lenient search)."""

    line: int
    end_line: int
    text: str
    exact: bool


def _normalize(text: str, lenient: bool) -> tuple[str, list[int]]:
    """(normalised text, offset in ``text`` of each normalised character)."""
    out: list[str] = []
    offsets: list[int] = []
    space = True
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch).translate(_FOLD) if not ch.isascii() else ch
        for c in piece:
            if c.isspace():
                if not space:
                    out.append(" ")
                    offsets.append(i)
                    space = True
                continue
            if lenient:
                if c in _MARKUP:
                    continue
                c = c.lower()
            out.append(c)
            offsets.append(i)
            space = False
    while out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


class QuoteIndex:
    """Locates quotes in one document (built once per document, used for every finding).

    Args:
        doc: the :class:`agent.document.VepDocument`.
    """

    def __init__(self, doc):
        self.doc = doc
        self.text = sanitize(doc.text)
        self._line_starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self._exact = _normalize(self.text, lenient=False)
        self._lenient = None
        self._headings = {" ".join(s.title.split()).lower() for s in doc.sections}

    def _line_of(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)

    def locate(self, quote: str, section: str | None = None) -> Location | None:
        """Find ``quote``; ``section`` (the model's section name) breaks ties between occurrences.

        Returns:
            the :class:`Location`, or ``None`` when the quote is not in the document (or too
            short to point at one place).
        """
        for lenient in (False, True):
            needle, _ = _normalize(quote.strip(), lenient)
            needle = needle.strip(" \"'")
            if not needle:
                return None
            if len(needle) < MIN_QUOTE_CHARS and " ".join(quote.split()).strip("# ").lower() not in self._headings:
                return None
            if lenient and self._lenient is None:
                self._lenient = _normalize(self.text, lenient=True)
            hay, offsets = self._lenient if lenient else self._exact
            starts = []
            pos = hay.find(needle)
            while pos >= 0 and len(starts) < 50:
                starts.append(pos)
                pos = hay.find(needle, pos + 1)
            if not starts:
                continue
            chosen = starts[0]
            if section and len(starts) > 1:
                wanted = normalize_heading(section)
                for start in starts:
                    s = self.doc.section_at(self._line_of(offsets[start]))
                    if s is not None and s.key == wanted:
                        chosen = start
                        break
            first, last = offsets[chosen], offsets[chosen + len(needle) - 1]
            return Location(self._line_of(first), self._line_of(last),
                            " ".join(self.text[first:last + 1].split()), exact=not lenient)
        return None


@dataclass
class VerifyStats:
    """What verification dropped (the counts go into ``Report.usage``)."""

    dropped_unverified: int = 0
    dropped_duplicate: int = 0
    dropped_capped: int = 0
    dropped_low_confidence: int = 0
    unverified_quotes: list[str] = field(default_factory=list)


def verify(doc, raw: list[tuple[str, object]], deterministic: list[Finding], reviewers: dict,
           max_per_reviewer: int = 5, min_confidence: float = 0.0) -> tuple[list[Finding], VerifyStats]:
    """Turn the reviewers' raw findings into verified :class:`Finding` objects.

    Args:
        doc: the reviewed document.
        raw: (reviewer key, :class:`agent.llm.schema.LlmFinding`) in the order the reviewers
            gave them.
        deterministic: the deterministic findings of the same document.
        reviewers: reviewer key -> :class:`agent.llm.reviewers.Reviewer` (rule ID, name, source).
        max_per_reviewer: cap per reviewer, after dropping.
        min_confidence: findings below this confidence are dropped.

    Returns:
        (findings sorted like the deterministic ones, :class:`VerifyStats`).
    """
    stats = VerifyStats()
    index = QuoteIndex(doc)
    located: list[tuple[str, object, Location]] = []
    for key, item in raw:
        loc = index.locate(item.quote, item.section)
        if loc is None:
            stats.dropped_unverified += 1
            stats.unverified_quotes.append(f"{key}: {item.quote[:80]}")
            continue
        if item.confidence < min_confidence:
            stats.dropped_low_confidence += 1
            continue
        located.append((key, item, loc))

    kept: list[tuple[str, object, Location]] = []
    for key, item, loc in located:
        section = doc.section_at(loc.line)
        if any(_same_concern(item.category, section, loc.line, d, doc) for d in deterministic):
            stats.dropped_duplicate += 1
            continue
        twin = next((k for k in kept if k[1].category == item.category and abs(k[2].line - loc.line) <= NEAR_LINES), None)
        if twin is not None:
            stats.dropped_duplicate += 1
            if item.confidence > twin[1].confidence:
                kept[kept.index(twin)] = (key, item, loc)
            continue
        kept.append((key, item, loc))

    out: list[Finding] = []
    for key in dict.fromkeys(k for k, _, _ in kept):
        mine = [k for k in kept if k[0] == key]
        mine.sort(key=lambda k: (0 if k[1].severity == "warning" else 1, -k[1].confidence, k[2].line))
        stats.dropped_capped += max(0, len(mine) - max_per_reviewer)
        for _, item, loc in mine[:max_per_reviewer]:
            out.append(_finding(doc, reviewers[key], key, item, loc))
    out.sort(key=Finding.sort_key)
    return out, stats


def _same_concern(category: str, section, line: int, det: Finding, doc) -> bool:
    det_category = FAMILY_CATEGORY.get(det.rule[3:4] if det.rule.startswith("VEP") else "", None)
    if det_category != category:
        return False
    if det.line is not None and abs(det.line - line) <= NEAR_LINES:
        return True
    if det.section and section is not None:
        return normalize_heading(det.section) == section.key
    return False


def _finding(doc, reviewer, key: str, item, loc: Location) -> Finding:
    section = doc.section_at(loc.line)
    extra = {"reviewer": key, "match": "exact" if loc.exact else "normalized"}
    if loc.end_line != loc.line:
        extra["end_line"] = loc.end_line
    if item.sig:
        extra["sig"] = item.sig
    return Finding(
        rule=reviewer.rule,
        name=reviewer.name,
        severity=Severity(item.severity),
        path=doc.path,
        line=loc.line,
        message=item.concern,
        fix=item.suggestion,
        section=section.title if section is not None else None,
        source=reviewer.source,
        origin="llm",
        category=item.category,
        quote=loc.text,
        confidence=round(float(item.confidence), 2),
        extra=extra,
    )
