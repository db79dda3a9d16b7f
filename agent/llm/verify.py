"""Grounding, checking and ranking of the LLM findings: nothing the model says reaches the
report unless its quote is found in the VEP, it survives the checking pass, and it is among the
VEP's best few (docs/llm-review.md).

For the candidates of all reviewers of one VEP, in this order (each drop is counted in
:class:`VerifyStats`, reported as ``dropped_*`` in the review's usage figures):

1. **Locate the quote** in the sanitised VEP text (:func:`agent.llm.sanitize.sanitize`: what the
   model was shown) with a pattern built from the quote (:func:`quote_pattern`): its words in
   order, any whitespace (line breaks included) between them, typographic and ASCII quotes and
   dashes interchangeable. When that exact search fails, a lenient one also ignores markdown
   emphasis and code marks (`` ` * _ ``) and letter case. A quote shorter than
   :data:`MIN_QUOTE_CHARS` must equal a whole heading. Several occurrences: the one inside the
   section the model named, else the first. The line is computed here, never taken from the
   model (``dropped_unverified``).
2. **The reviewer's self-check** (the checking pass, answered in the same call): a finding the
   reviewer marks as already answered in another section (``dropped_answered``), as fitting any
   VEP (``dropped_generic``) or as not supported by its quote (``dropped_unsupported``) is dropped.
3. **Deterministic filters**: a concern and suggestion that name nothing of this VEP (no word
   that occurs in the VEP and is not common review vocabulary, :func:`is_generic`) are
   ``dropped_generic``; a finding in a category another reviewer of the same VEP owns
   (:data:`CATEGORY_OWNER`) is ``dropped_off_task``, and one outside its reviewer's categories
   (:data:`REVIEWER_CATEGORIES`) when no reviewer owns it is re-labelled ``other``.
4. **Change filter** (with a base version): a quote wholly in unchanged text is
   ``dropped_unchanged``, unless ``conflicts_with`` quotes changed text.
5. **Confidence floor** (``min_confidence``, default :data:`DEFAULT_MIN_CONFIDENCE`):
   ``dropped_low_confidence``.
6. **Duplicates**: of a deterministic finding (same concern category in the same section, or
   within :data:`NEAR_LINES` lines) and between findings (same category within
   :data:`NEAR_LINES` lines, or the very same quoted lines whatever the category: one comment
   per passage; the more confident one stays): ``dropped_duplicate``.
7. **One ranked budget**: per reviewer at most ``max_per_reviewer``, then across reviewers at most
   ``max_findings`` (default :data:`DEFAULT_MAX_FINDINGS`), ranked by severity (warnings first),
   then confidence, then line: ``dropped_capped``. An empty result is a good answer.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

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


#: Default budget of LLM findings per VEP (``llm: {max_findings: N}``, ``--max-findings``).
DEFAULT_MAX_FINDINGS = 5
#: Default confidence floor (``llm: {min_confidence: x}``).
DEFAULT_MIN_CONFIDENCE = 0.5

#: Categories only one reviewer may raise: a finding of another reviewer in them is dropped
#: when the owner also reviewed the VEP.
CATEGORY_OWNER = {"cross-sig": "cross_sig", "feature-gate": "feature_gate"}
#: The categories each reviewer's task covers (prompts/<reviewer>.md); ``None``: all.
REVIEWER_CATEGORIES: dict[str, frozenset[str] | None] = {
    "design_gaps": None,
    "cross_sig": frozenset({"cross-sig", "alternatives", "api"}),
    "feature_gate": frozenset({"feature-gate", "lifecycle-graduation", "upgrade-rollback"}),
}

#: Words that say nothing about one VEP: review vocabulary (besides the words of the bundled
#: process documents and the English stop words below).
_REVIEW_WORDS = """
vep veps proposal enhancement design document section feature features gate gates gated alpha beta
stage stages graduation graduate criteria release releases upgrade upgrades upgraded rollback downgrade
monitoring metrics metric alerts events conditions tests testing tested test unit functional e2e
coverage scalability performance scale security secure risk risks mitigation mitigations alternative
alternatives goal goals non-goals scope user users story stories api apis field fields object objects
behaviour behavior describe described describes description explain explained explicit explicitly clarify
clarified specify specified specific detail details detailed plan plans planned missing lacks lacking
unclear clear needs need needed should would could must provide provided add added include included
state states mention mentioned discuss discussed address addressed cover covered justify justified
existing running cluster clusters node nodes workload workloads kubevirt kubernetes component components
implementation implement implemented approach mechanism handle handled handling case cases impact
impacts affect affected change changes changed support supported supports enable enabled enabling
disable disabled disabling default defaults operator operators admin admins administrator owner owners
sig sigs reviewer reviewers maintainer maintainers concern concerns issue issues problem problems
failure failures fail fails recovery version versions versioned skew compatibility compatible
""".split()
_STOP = """
about above after again against also among another because been before being below between both
does doing done down during each either else even every from further have having here however into
itself just like made make makes many more most much neither only other others otherwise over same
some such than that their them then there these they this those through under until upon very what
when where whether which while whom whose will with within without your yours it's isn't doesn't
""".split()
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9._/-]*[a-z0-9]")


@lru_cache(maxsize=1)
def _generic_vocabulary() -> frozenset[str]:
    from agent.llm.prompts_dir import PROMPTS_DIR

    words = set(_REVIEW_WORDS) | set(_STOP)
    for path in sorted((PROMPTS_DIR / "context").glob("*.md")):
        words.update(_WORD_RE.findall(path.read_text(encoding="utf-8").lower()))
    return frozenset(words)


def specific_words(text: str, vep_words: set[str]) -> set[str]:
    """Words of ``text`` (4 characters or more) that occur in the VEP (``vep_words``) and are not
    generic review vocabulary (:data:`_REVIEW_WORDS`, stop words, the words of the bundled
    process documents in ``prompts/context/``)."""
    generic = _generic_vocabulary()
    return {w for w in _WORD_RE.findall(text.lower()) if len(w) >= 4 and w in vep_words and w not in generic}


def is_generic(item, vep_words: set[str]) -> bool:
    """A concern that would fit any VEP: its concern and suggestion name nothing of this one
    (system prompt, "How to write findings" 3: "specific to this VEP (name the component, field
    or scenario)")."""
    return not specific_words(f"{item.concern} {item.suggestion}", vep_words)


@dataclass
class VerifyStats:
    """What verification dropped (the counts go into ``Report.usage``); ``candidates`` is the
    number of findings the reviewers gave (valid items), ``kept`` the number reported."""

    dropped_unverified: int = 0
    dropped_duplicate: int = 0
    dropped_capped: int = 0
    dropped_low_confidence: int = 0
    dropped_invalid: int = 0
    dropped_answered: int = 0
    dropped_generic: int = 0
    dropped_unsupported: int = 0
    dropped_off_task: int = 0
    dropped_unchanged: int = 0
    candidates: int = 0
    kept: int = 0

    def dropped(self) -> dict[str, int]:
        """The non-zero ``dropped_*`` counts."""
        return {k: v for k, v in vars(self).items() if k.startswith("dropped_") and v}


def verify(doc, raw: list[tuple[str, object]], deterministic: list[Finding], reviewers: dict,
           max_per_reviewer: int = 5, min_confidence: float = DEFAULT_MIN_CONFIDENCE, *,
           max_findings: int = DEFAULT_MAX_FINDINGS, ran: tuple[str, ...] | list[str] = (), change=None,
           invalid: int = 0) -> tuple[list[Finding], VerifyStats]:
    """Turn the reviewers' candidate findings into the verified, checked, ranked :class:`Finding`
    objects of one VEP (the steps of the module docstring).

    Args:
        doc: the reviewed document.
        raw: (reviewer key, :class:`agent.llm.schema.LlmFinding`) in the order the reviewers
            gave them.
        deterministic: the deterministic findings of the same document.
        reviewers: reviewer key -> :class:`agent.llm.reviewers.Reviewer` (rule ID, name, source).
        max_per_reviewer: cap per reviewer, after dropping.
        min_confidence: findings below this confidence are dropped.
        max_findings: the VEP's budget across reviewers (0: no LLM finding).
        ran: keys of the reviewers that answered for this VEP (category ownership).
        change: :class:`agent.llm.change.Change` against the base version, or ``None``.
        invalid: items the reviewers' answers held that did not validate (counted only).

    Returns:
        (findings sorted like the deterministic ones, :class:`VerifyStats`).
    """
    stats = VerifyStats(dropped_invalid=invalid, candidates=len(raw))
    index = QuoteIndex(doc)
    vep_words = set(_WORD_RE.findall(index.text.lower()))
    ran = set(ran) | {k for k, _ in raw}
    located: list[tuple[str, object, Location]] = []
    for key, item in raw:
        loc = index.locate(item.quote, item.section)
        if loc is None:
            stats.dropped_unverified += 1
            continue
        if item.answered_in:
            stats.dropped_answered += 1
            continue
        if item.fits_any_vep or is_generic(item, vep_words):
            stats.dropped_generic += 1
            continue
        if not item.quote_supports:
            stats.dropped_unsupported += 1
            continue
        owner = CATEGORY_OWNER.get(item.category)
        if owner is not None and owner != key and owner in ran:
            stats.dropped_off_task += 1
            continue
        allowed = REVIEWER_CATEGORIES.get(key)
        if owner is None and allowed is not None and item.category not in allowed:
            item = item.model_copy(update={"category": "other"})
        if change is not None and not change.touches(loc.line, loc.end_line):
            conflict = index.locate(item.conflicts_with) if item.conflicts_with else None
            if conflict is None or not change.touches(conflict.line, conflict.end_line):
                stats.dropped_unchanged += 1
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
        twin = next((k for k in kept if (k[1].category == item.category and abs(k[2].line - loc.line) <= NEAR_LINES)
                     or (k[2].line, k[2].end_line) == (loc.line, loc.end_line)), None)
        if twin is not None:
            stats.dropped_duplicate += 1
            if item.confidence > twin[1].confidence:
                kept[kept.index(twin)] = (key, item, loc)
            continue
        kept.append((key, item, loc))

    rank = lambda k: (0 if k[1].severity == "warning" else 1, -k[1].confidence, k[2].line)  # noqa: E731
    capped: list[tuple[str, object, Location]] = []
    for key in dict.fromkeys(k for k, _, _ in kept):
        mine = sorted((k for k in kept if k[0] == key), key=rank)
        stats.dropped_capped += max(0, len(mine) - max_per_reviewer)
        capped += mine[:max_per_reviewer]
    capped.sort(key=rank)
    budget = max(0, max_findings)
    stats.dropped_capped += max(0, len(capped) - budget)
    out = [_finding(doc, reviewers[key], key, item, loc) for key, item, loc in capped[:budget]]
    stats.kept = len(out)
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
