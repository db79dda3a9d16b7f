"""Grounding of the LLM findings: nothing the model says reaches the report unless its quote
is found in the VEP.

For each finding of each reviewer:

1. **Locate the quote** in the sanitised VEP text (:func:`agent.llm.sanitize.sanitize`: what the
   model was shown) with a pattern built from the quote (:func:`quote_pattern`): its words in
   order, any whitespace (line breaks included) between them, typographic and ASCII quotes and
   dashes interchangeable. When that exact search fails, a lenient one also ignores markdown
   emphasis and code marks (`` ` * _ ``) and letter case. A quote shorter than :data:`MIN_QUOTE_CHARS` must equal a whole heading (a
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

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from agent.document import normalize_heading
from agent.findings import Finding, Severity
from agent.llm.sanitize import sanitize

#: Shortest quote accepted unless it is a whole heading.
MIN_QUOTE_CHARS = 10
#: Two findings this many lines apart or closer, with the same category, are the same concern.
NEAR_LINES = 2

#: Characters that stand for each other in a quote: typographic quotes and dashes, the
#: non-breaking space. A quote's character matches any character of its class in the VEP.
_EQUIVALENT = {
    "'": "'\u2018\u2019\u201a\u201b\u2032",
    '"': '"\u201c\u201d\u201e\u201f\u2033',
    "-": "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
}
_CLASS_OF = {ch: key for key, chars in _EQUIVALENT.items() for ch in chars}
_MARKUP = "`*_"

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


def quote_pattern(quote: str, lenient: bool) -> re.Pattern | None:
    """The regular expression that finds ``quote`` in the VEP text.

    Exact: the quote's words in order, any run of whitespace (line breaks included) between
    them, typographic quotes and dashes interchangeable (:data:`_EQUIVALENT`). Lenient: also
    markdown emphasis and code marks anywhere (`` ` * _ ``) and any letter case. ``None`` for
    an empty quote. Searching the text with a pattern (instead of normalising the whole
    document first) keeps offsets exact and is fast.
    """
    words = unicodedata.normalize("NFKC", quote).split()
    if lenient:
        words = [w.strip(_MARKUP) for w in words]
        words = [w for w in words if w]
    if not words:
        return None

    def char(c: str) -> str:
        if lenient and c in _MARKUP:
            return ""
        key = _CLASS_OF.get(c)
        return f"[{re.escape(_EQUIVALENT[key])}]" if key else re.escape(c)

    if lenient:
        noise = f"[{re.escape(_MARKUP)}]*"
        parts = [noise.join(x for x in (char(c) for c in w) if x) for w in words]
        return re.compile(r"[\s`*_]+".join(parts), re.I)
    return re.compile(r"\s+".join("".join(char(c) for c in w) for w in words))


class QuoteIndex:
    """Locates quotes in one document (built once per document, used for every finding).

    Args:
        doc: the :class:`agent.document.VepDocument`.
    """

    def __init__(self, doc):
        self.doc = doc
        self.text = sanitize(doc.text)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self._headings = {" ".join(s.title.split()).lower() for s in doc.sections}

    def _line_of(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)

    def locate(self, quote: str, section: str | None = None) -> Location | None:
        """Find ``quote``; ``section`` (the model's section name) breaks ties between occurrences.

        Returns:
            the :class:`Location`, or ``None`` when the quote is not in the document (or too
            short to point at one place).
        """
        quote = quote.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()
        if len("".join(quote.split())) < MIN_QUOTE_CHARS and " ".join(quote.split()).strip("# ").lower() not in self._headings:
            return None
        for lenient in (False, True):
            rx = quote_pattern(quote, lenient)
            if rx is None:
                return None
            matches = []
            for m in rx.finditer(self.text):
                matches.append(m)
                if len(matches) >= 50:
                    break
            if not matches:
                continue
            chosen = matches[0]
            if section and len(matches) > 1:
                wanted = normalize_heading(section)
                for m in matches:
                    s = self.doc.section_at(self._line_of(m.start()))
                    if s is not None and s.key == wanted:
                        chosen = m
                        break
            first, last = chosen.start(), chosen.end() - 1
            return Location(self._line_of(first), self._line_of(last), " ".join(chosen.group(0).split()),
                            exact=not lenient)
        return None


@dataclass
class VerifyStats:
    """What verification dropped (the counts go into ``Report.usage``)."""

    dropped_unverified: int = 0
    dropped_duplicate: int = 0
    dropped_capped: int = 0
    dropped_low_confidence: int = 0


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
