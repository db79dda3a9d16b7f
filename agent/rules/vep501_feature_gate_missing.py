"""The VEP names its feature gate, or says why it needs none.

**What it checks.** That a VEP (not a process VEP: a meta-VEP or a VEP that says it is a
process or policy change, which docs/vep-governance.md exempts from ``feature-gate``; not the
template) does one of the following. A VEP read as a process VEP by its own words gets an
**info** finding that says so, at the sentence, so that a wrong reading shows.

1. names a gate in the front matter: ``feature-gate: MyFeature`` (a value other than empty,
   ``TBD``, ``N/A``, ``none`` or the schema's ``FeatureName``);
2. names a gate in the body: an identifier next to "feature gate", "feature-gate",
   "FeatureGate" or "FG": backticked (`` the `ImageVolume` feature gate ``, `` feature gate
   named `IOMMUFD` ``, `` Feature gate (`Plugins`) ``) or written as a CamelCase or
   upper-case word (``the TargetSideMigrationHooks feature gate``, ``behind the existing SEV
   feature gate``, ``PanicDevice FG``), or defined in a list (`` `HotplugVolumes` - this
   existing featuregate … ``); in fenced examples, a backticked name next to "feature gate"
   or an entry of a ``featureGates:`` list.
   A gate that already exists counts: the VEP adds logic under it;
3. opts out with a justification: a sentence saying there is no gate ("no feature gate",
   "does not require a feature gate", "will not be feature gated", "without a feature gate",
   "does not have graduation phases guarded by a feature gate", "graduating directly to GA",
   "in a single lifecycle phase") together with a reason. The reason may be in the same
   paragraph, the next one, or (when the VEP goes straight to GA) in the Graduation
   Requirements section; a reason is a causal word ("because", "since", "due to",
   "rationale", "reasons", …) or one of the reasons docs/feature-lifecycle.md discusses.
   A Graduation Requirements section with only a GA stage that has content is read as going
   straight to GA. Statements in Alternatives sections (a rejected "No Feature Gate"
   option) and in GA stages ("API available without a FeatureGate") are not opt-outs.

In a VEP with front matter, the front matter is where the gate is named: the schema says
"feature-gate: FeatureName # omit field only if VEP body contains explicit opt-out
justification" (docs/vep-governance.md), so a gate named only in the body of such a VEP is
reported too, with the name to copy into ``feature-gate``. (A ``feature-gate`` value that is
not a usable name, such as ``TBD``, is VEP206's; when the body names the gate, this rule does
not repeat it.) In a VEP without front matter the body is the only place, and a gate named
there is enough.

Otherwise: an **error** (a warning on not-yet-migrated VEPs without front matter). The
message says whether no gate is named at all or the opt-out gives no reason (then it points
at the opt-out sentence). Whether the reason is strong enough is VEP502's question.

docs/vep-governance.md's "Field Rules by Status" table lists ``feature-gate`` as plain
"required" for ``implementable``, while docs/feature-lifecycle.md, "Can a VEP choose to not
include a feature gate?", allows a justified opt-out, and the schema's own comment says "omit
field only if VEP body contains explicit opt-out justification". This rule follows
feature-lifecycle.md, the policy: a justified opt-out is accepted at every status.

**Why.** docs/feature-lifecycle.md, "Why is a feature gate important?": a gate forces users to
opt in to an experimental feature, says loudly that the API may change and that quality is
not promised, and "(dramatically) lower[s] the bar for new alpha features". Alpha and Beta
features must be behind a gate ("Release Stage Transition Table"). Naming the gate in the VEP
lets reviewers, the release team and users find it.

**Anti-pattern.** A Graduation Requirements section with "- [ ] Feature gate guards all code
changes" copied from the template and no gate named anywhere; or "This VEP does not have
graduation phases guarded by a feature gate." with nothing saying why.

**Best practice.** ``feature-gate: VMPersistentState`` in the front matter and "The feature
is behind the `VMPersistentState` feature gate" in Design; or, without a gate, a paragraph
such as "No feature gate: the old and new code paths cannot coexist because …".
"""

from __future__ import annotations

import re
import weakref
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cached_property
from itertools import accumulate
from typing import NamedTuple

from agent.document import blank_comments, blanked_chunks, split_lines
from agent.rules import LazyPattern, Problem
from agent.rules.vep401_required_section import graduation_section, stage_marks

ID = "VEP501"
NAME = "feature-gate-missing"
SEVERITY = "error"
LEGACY_SEVERITY = "warning"
SOURCE = ("docs/feature-lifecycle.md, Feature Gates (Can a VEP choose to not include a feature gate?); "
          "docs/vep-governance.md, Front Matter Schema (feature-gate)")
FIX = ("Name the feature gate (front matter `feature-gate:` and the Design section), or explain in the "
       "body why the feature needs none.")

# --- text model ---------------------------------------------------------------------------

_FENCE_RE = LazyPattern(r"^\s{0,3}(```+|~~~+)")
_HEADING_RE = LazyPattern(r"^\s{0,3}#{1,6}(\s|$)")


class Paragraph(NamedTuple):
    """Consecutive non-blank prose lines (headings, blank lines and code fences end one).

    Attributes:
        lines: 1-based file line of each line (a ``range`` for consecutive lines).
        text: the lines joined with ``"\\n"`` (HTML comments removed).
    """

    lines: Sequence[int]
    text: str

    @property
    def line(self) -> int:
        return self.lines[0]

    def line_at(self, offset: int) -> int:
        """File line of character ``offset`` of :attr:`text`."""
        return self.lines[min(self.text.count("\n", 0, offset), len(self.lines) - 1)]


#: A body text model (:attr:`BodyText.flat`) of at most this many characters keeps its
#: lower-cased copy; a larger one is lower-cased a piece at a time when searched.
_SMALL_FLAT = 1 << 20


class _Paragraphs(Sequence):
    """The paragraphs of a :class:`BodyText`, made when asked for from its flat text and
    line numbers (a large VEP has hundreds of thousands: not held as objects)."""

    __slots__ = ("_body",)

    def __init__(self, body: "BodyText"):
        self._body = body

    def __len__(self) -> int:
        return len(self._body._first)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return [self[i] for i in range(*idx.indices(len(self)))]
        b = self._body
        first = b._first[idx]
        if idx < 0:
            idx += len(b._first)
        return Paragraph(range(first, first + b._count[idx]), b.flat[b.starts[idx]:b.starts[idx + 1] - 1])


class BodyText:
    r"""The body split for phrase matching.

    Attributes:
        flat: every paragraph's text (its lines joined with ``"\n"``), joined with NUL
            characters (which no pattern matches or crosses): one string to search. Every
            pattern run on it treats a newline as any other space (``\s``).
        starts: offset in :attr:`flat` where each paragraph starts, then ``len(flat) + 1``.
        paragraphs: prose paragraphs in document order (a sequence of :class:`Paragraph`).
        code_text: the lines inside fenced code blocks, joined with ``"\n"``.
        code: (file line, text) of lines inside fenced code blocks (an iterator, each time).
    """

    def __init__(self, flat: str, starts: array, paragraphs: "list[Paragraph] | tuple[array, array]",
                 code_text: str, code_lines: array):
        """``paragraphs``: the :class:`Paragraph` list (a small body), or, for a large one,
        the first file line and the number of lines of each (made when asked for)."""
        self.flat, self.starts = flat, starts
        self._list = paragraphs if isinstance(paragraphs, list) else None
        self._first, self._count = paragraphs if self._list is None else (None, None)
        self.code_text, self._code_lines = code_text, code_lines

    @property
    def paragraphs(self) -> "Sequence[Paragraph]":
        # a large body's are made when asked for; the view is made at each call (held by
        # the body text, it would be a reference cycle, which `vep-review check`, run
        # without the cyclic collector, would never free)
        return self._list if self._list is not None else _Paragraphs(self)

    @property
    def code(self) -> Iterator[tuple[int, str]]:
        return zip(self._code_lines, split_lines(self.code_text))

    def span(self, idx: int) -> tuple[int, int]:
        """``(start, end)`` of paragraph ``idx`` in :attr:`flat`."""
        return self.starts[idx], self.starts[idx + 1] - 1

    @cached_property
    def gate_windows(self) -> dict[int, list[tuple[int, int]]]:
        """Paragraph index -> spans of :attr:`flat` around each gate mention in it (see
        ``_GATE_MENTION_RE``): from ``_REACH[0]`` characters before the mention to
        ``_REACH[1]`` after it, widened to whitespace (a space or line break), clipped to the
        paragraph and merged where they overlap. Every gate-name and opt-out phrase contains
        a mention and reaches no further, so the patterns find the same matches in these
        spans as in the whole paragraph, at a fraction of the cost on large documents. Only
        paragraphs that contain "gate" or "FG" are searched for mentions."""
        flat, out = self.flat, {}
        before, after = _REACH
        for idx in sorted(self.with_words(("gate",)) | self.with_words(("FG",), lower=False)):
            ps, pe = self.span(idx)
            spans: list[tuple[int, int]] = []
            for m in _GATE_MENTION_RE.finditer(flat, ps, pe):
                cut = m.start() - before
                start = max(flat.rfind(" ", ps, cut), flat.rfind("\n", ps, cut), ps - 1) + 1 if cut > ps else ps
                ends = [e for e in (flat.find(" ", m.end() + after, pe), flat.find("\n", m.end() + after, pe)) if e >= 0]
                end = min(ends) if ends else pe
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                else:
                    spans.append((start, end))
            if spans:
                out[idx] = spans
        return out

    @cached_property
    def _lower(self) -> str | None:
        """:attr:`flat` lower-cased, or None when that changes its length (then offsets differ)."""
        lower = self.flat.lower()
        return lower if len(lower) == len(self.flat) else None

    def _haystacks(self, lower: bool) -> Iterator[tuple[int, int, str | None]]:
        """``(start, end, text)``: :attr:`flat` (``lower``: lower-cased; ``None`` where that
        changes the length) whole, or, when large and ``lower``, in pieces of whole
        paragraphs lower-cased one at a time (no second copy of the whole text)."""
        flat = self.flat
        if not lower:
            yield 0, len(flat), flat
        elif len(flat) <= _SMALL_FLAT:
            yield 0, len(flat), self._lower
        else:
            pos = 0
            while pos <= len(flat):
                cut = flat.find("\x00", pos + _SMALL_FLAT // 16)
                end = len(flat) if cut < 0 else cut
                piece = flat[pos:end].lower()
                yield pos, end, piece if len(piece) == end - pos else None
                pos = end + 1

    def with_words(self, words: tuple[str, ...], lower: bool = True) -> set[int]:
        """Indices of the paragraphs whose text (``lower``: lower-cased) contains one of
        ``words``, found with substring searches over the whole body."""
        out: set[int] = set()
        starts, n = self.starts, len(self.starts) - 1
        for base, end, hay in self._haystacks(lower):
            if hay is None:  # slow path: a character whose lower case is longer
                first, last = bisect_right(starts, base) - 1, bisect_right(starts, end)
                out.update(i for i in range(max(first, 0), min(last, n))
                           if any(w in self.paragraphs[i].text.lower() for w in words))
                continue
            for word in words:
                pos = hay.find(word)
                while pos >= 0:
                    idx = bisect_right(starts, base + pos) - 1
                    out.add(idx)
                    nxt = idx + 1
                    pos = hay.find(word, starts[nxt] - base) if nxt < n else -1
        return out


def body_text(doc) -> BodyText:
    """Split ``doc``'s body into prose paragraphs and fenced code lines, HTML comments
    removed (line numbers kept); kept with the document. Never raises."""
    return doc.memo("body text", lambda: _body_text(doc))


def _body_text(doc) -> BodyText:
    # A chunk of whole lines at a time: the lines of a large VEP are never all held at once,
    # nor its paragraphs as objects; what is kept is the flat text and arrays of numbers.
    first = doc.body_line  # file line of the body's first line
    # a small body keeps its paragraphs as objects (several rules read them all), a large one
    # the numbers to make them from
    paras: list[Paragraph] | None = [] if len(doc.text) - doc.body_start <= _SMALL_FLAT else None
    pieces: list[str] = []  # parts of the flat text, each paragraphs joined with NUL
    starts, para_first, para_count = array("L"), array("L"), array("L")
    code_pieces: list[str] = []
    code_lines = array("L")
    flat_len = 0
    start = 0  # body line where the current run of prose lines starts
    fence, fence_start = None, 0
    carry: list[str] = []  # the current run's lines from earlier chunks, joined per chunk
    base = 0  # body line of the chunk's first line
    chunk_paras: list[str] = []

    def flush(start: int, end: int, stripped: list[str]) -> None:  # body lines [start, end) are one paragraph
        nonlocal flat_len, carry
        if end > start:
            if not carry:  # (then the run starts in this chunk)
                text = "\n".join(stripped[start - base:end - base])
            else:
                here = stripped[:end - base]
                text = "\n".join(carry + ["\n".join(here)]) if here else "\n".join(carry)
                carry = []
            if paras is not None:
                paras.append(Paragraph(range(first + start, first + end), text))
                return
            starts.append(flat_len + 1 if starts else 0)
            flat_len = starts[-1] + len(text)
            para_first.append(first + start)
            para_count.append(end - start)
            chunk_paras.append(text)

    def add_code(start: int, end: int, raw_lines: list[str]) -> None:  # body lines [start, end) are code
        if end > start:
            code_pieces.append("\n".join(raw_lines[start - base:end - base]))
            code_lines.extend(range(first + start, first + end))

    for chunk in blanked_chunks(doc.text, doc.body_start):  # the body, comments blanked
        raw_lines = chunk.split("\n") if "\n" in chunk else [chunk]  # (no copy of a one-line chunk)
        stripped = [line.strip() for line in raw_lines]
        # only blank lines and lines starting with a fence or heading character can end a run
        for i in [i for i, s in enumerate(stripped) if not s or s[0] in "`~#"]:
            raw = raw_lines[i]
            m = _FENCE_RE.match(raw) if stripped[i][:1] in ("`", "~") else None
            if fence is not None:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    add_code(fence_start, base + i, raw_lines)
                    fence, start = None, base + i + 1
            elif m:
                flush(start, base + i, stripped)
                fence, fence_start = m.group(1), base + i + 1
            elif not stripped[i] or (stripped[i][0] == "#" and _HEADING_RE.match(raw)):
                flush(start, base + i, stripped)
                start = base + i + 1
        end = base + len(raw_lines)
        if fence is not None:  # the open fence's lines so far are code
            add_code(max(fence_start, base), end, raw_lines)
            fence_start = end
        elif start < end:  # the open run's lines so far are carried to the next chunk
            carry.append("\n".join(stripped[max(start - base, 0):]))
        if chunk_paras:
            pieces.append("\x00".join(chunk_paras))
            chunk_paras.clear()
        base = end
    if fence is None:  # (an unclosed fence runs to the end)
        flush(start, base, [])
        if chunk_paras:
            pieces.append("\x00".join(chunk_paras))
    code_text = "\n".join(code_pieces)
    if paras is not None:
        flat = "\x00".join([p.text for p in paras])
        starts = array("L", accumulate([len(p.text) + 1 for p in paras], initial=0))
        return BodyText(flat, starts, paras, code_text, code_lines)
    flat = "\x00".join(pieces)
    del pieces
    starts.append(len(flat) + 1)
    return BodyText(flat, starts, (para_first, para_count), code_text, code_lines)


# --- gate names ---------------------------------------------------------------------------

_GATE = r"(?:(?i:feature[\s_-]*gates?)|\bFGs?\b|\bF\.Gate\b)"
_TOKEN = r"[A-Za-z][A-Za-z0-9]{1,80}"
#: A plain name starts where a word does: the lookbehind spares the pattern from retrying at
#: every letter of every word (linear time), and a name is never cut out of a longer word
#: ("the feature gate isolationMode" names ``isolationMode``, not "is" + ``olationMode``).
_NAME = rf"(?:`(?P<bt>{_TOKEN})`|(?<![A-Za-z])(?P<plain>{_TOKEN}))"
_STOP = {
    "feature", "features", "gate", "gates", "featuregate", "featuregates", "fg", "fgs", "the", "a", "an",
    "new", "existing", "alpha", "beta", "ga", "kubevirt", "kubernetes", "k8s", "hco", "hyperconverged",
    "api", "apis", "vep", "veps", "kep", "vm", "vms", "vmi", "vmis", "cr", "crd", "crds", "ci", "e2e",
    "tbd", "todo", "na", "none", "is", "are", "named", "called", "name", "its", "own", "this", "that",
    "enabled", "disabled", "true", "false", "cdi", "ssp", "rbac", "ui", "cli", "yaml", "json", "ok", "it",
    "featurename", "and", "or", "of", "for", "dedicated", "separate", "single", "same", "respective",
    "on", "off", "in", "to", "be", "will", "was",
}
_NAME_BEFORE_RE = LazyPattern(rf"{_NAME}\s+(?:(?i:alpha|beta|new|existing)\s+)?{_GATE}")
_NAME_AFTER_RE = LazyPattern(
    rf"(?=[fF]){_GATE}(?:(?:\s++[\w-]++){{0,4}}?\s++(?:named|called)|[\s*_,:]*+(?:(?:name|is)[\s*_,:]*+)?)"
    rf"[\s*_,:]*+(?P<paren>\(\s*+)?{_NAME}(?(paren)\s*+\))")  # possessive runs: linear on "feature gate" + spaces
_NAME_GATE_RE = LazyPattern(rf"(?=[bBuU])(?i:behind|under|by)\s+(?:the\s+)?(?:existing\s+)?`(?P<bt>{_TOKEN})`\s+(?i:gate)\b")
_NAME_DEFINED_RE = LazyPattern(
    rf"`(?P<bt>{_TOKEN})`\s*[-–—:]\s*(?i:this|a|the|an)\s+(?:[\w-]+\s+){{0,2}}?{_GATE}")
#: How far (characters) a gate-name or opt-out phrase reaches before and after the gate
#: mention it contains: generous bounds (the longest, "does not … require … guarded by …
#: feature gate", is about ten words; a backticked name is at most 83 characters).
_REACH = (300, 260)
_NAME_PATTERNS = (_NAME_BEFORE_RE, _NAME_AFTER_RE, _NAME_GATE_RE, _NAME_DEFINED_RE)
_YAML_KEY_RE = LazyPattern(r"^(?P<indent>\s*)[\"']?featureGates[\"']?\s*:\s*(?P<rest>.*)$")
_YAML_ITEM_RE = LazyPattern(r"^(?P<indent>\s*)-\s*[\"']?(?P<name>[A-Za-z][A-Za-z0-9]*)[\"']?\s*(?:#.*)?$")
_PLACEHOLDER_VALUES = {"", "tbd", "todo", "tba", "n/a", "na", "none", "null", "-", "featurename", "..."}


#: What every gate-name and opt-out pattern needs: "feature gate" (any spelling), "FG",
#: "gated" or a backticked name followed by "gate". (The leading lookahead of first
#: characters lets the regular expression engine skip other positions quickly.)
_GATE_MENTION_RE = LazyPattern(r"(?=[fFgG`])(?:(?i:feature[\s_-]*gate|gated\b)|\bFGs?\b|\bF\.Gate\b|`\s+(?i:gate))")


def _mentions_gate(text: str) -> bool:
    """Cheap test before the gate patterns (see ``_GATE_MENTION_RE``)."""
    return ("gate" in text.lower() or "FG" in text) and _GATE_MENTION_RE.search(text) is not None


def _gate_token(name: str | None, backticked: bool) -> str | None:
    if not name or name.lower() in _STOP or "featuregate" in name.lower():
        return None
    if backticked:
        return name
    if any(c.isupper() for c in name[1:]):  # CamelCase, lowerCamel, ACRONYM
        return name
    return None


class GateName(NamedTuple):
    """A feature gate named by the VEP.

    Attributes:
        name: the gate's name as written.
        line: 1-based file line.
        where: ``"front matter"``, ``"body"`` or ``"example"`` (a ``featureGates:`` list).
    """

    name: str
    line: int
    where: str


def front_matter_gate(doc) -> GateName | None:
    """The front matter's ``feature-gate`` when it names a gate (a non-placeholder string,
    or a list holding one)."""
    fm = doc.front_matter
    if fm is None or fm.error is not None or not isinstance(fm.data, dict):
        return None
    value = fm.data.get("feature-gate")
    values = value if isinstance(value, list) else [value]
    for v in values:
        if isinstance(v, str) and v.strip().lower() not in _PLACEHOLDER_VALUES:
            return GateName(v.strip(), fm.line_of("feature-gate"), "front matter")
    return None


def body_gates(doc, text: BodyText | None = None) -> list[GateName]:
    """Gates the body names (prose and ``featureGates:`` lists in examples), in document
    order."""
    return sorted(iter_body_gates(doc, text), key=lambda g: g.line)


def iter_body_gates(doc, text: BodyText | None = None) -> Iterator[GateName]:
    """:func:`body_gates` one at a time, prose first (callers that only ask whether the body
    names a gate stop at the first)."""
    text = text or body_text(doc)
    flat = text.flat
    for idx, spans in text.gate_windows.items():
        p, offset = text.paragraphs[idx], text.starts[idx]
        for rx in _NAME_PATTERNS:
            for start, end in spans:
                for m in rx.finditer(flat, start, end):
                    bt = m.groupdict().get("bt")
                    name = _gate_token(bt, True) if bt else _gate_token(m.groupdict().get("plain"), False)
                    if name:
                        yield GateName(name, p.line_at(m.start() - offset), "body")
    code = text.code_text  # for substring tests before the line loops
    for line, raw in text.code if _mentions_gate(code) else ():  # comments and prose in examples:
        if not _mentions_gate(raw):                                # backticked names only
            continue
        for rx in (_NAME_BEFORE_RE, _NAME_AFTER_RE):
            for m in rx.finditer(raw):
                name = _gate_token(m.groupdict().get("bt"), True)
                if name:
                    yield GateName(name, line, "example")
    in_list: int | None = None
    for line, raw in text.code if "featureGates" in code else ():
        m = _YAML_KEY_RE.match(raw)
        if m:
            rest = m.group("rest").strip()
            if rest.startswith("["):
                for name in re.findall(r"[A-Za-z][A-Za-z0-9]*", rest):
                    if _gate_token(name, True):
                        yield GateName(name, line, "example")
                in_list = None
            else:
                in_list = len(m.group("indent"))
            continue
        if in_list is not None:
            item = _YAML_ITEM_RE.match(raw)
            if item and len(item.group("indent")) >= in_list:
                if _gate_token(item.group("name"), True):
                    yield GateName(item.group("name"), line, "example")
                continue
            if raw.strip() and not raw.strip().startswith("#"):
                in_list = None


# --- opt-outs -------------------------------------------------------------------------------

_NOT = r"(?:\s+not|n't)"
#: Opt-out statements (each contains a gate mention: see BodyText.gate_windows). Each
#: pattern here and in DIRECT_GA_RES starts with a lookahead of its possible first characters, which lets the
#: regular expression engine skip other positions quickly (same matches, 2-5x faster).
_OPT_OUT_RES = [
    LazyPattern(rf"(?=[nN])\bno\s+(?:new\s+|dedicated\s+|separate\s+|additional\s+|specific\s+)?{_GATE}", re.I),
    LazyPattern(
        rf"(?=[dDwWsSnNmMcCiIaA])\b(?:does|do|did|will|would|shall|should|need|needs|must|can|is|are){_NOT}\s+"
        rf"(?:\w+\s+){{0,3}}?(?:require|need|have|introduce|include|add|warrant|be\s+(?:guarded|gated|protected|hidden)"
        rf"\s+(?:by|behind))\s+(?:(?!enabl|disabl|turn|toggl|set\b|flip)[\w-]+\s+){{0,4}}?{_GATE}", re.I),
    LazyPattern(rf"(?=[wW])\bwithout\s+(?:a\s+|any\s+)?(?:new\s+|dedicated\s+|separate\s+)?{_GATE}"
                rf"(?!\s+(?:enabled|disabled|set|on|off|being))", re.I),
    LazyPattern(r"(?=[nNuU])(?:\b(?:not|never)\s+(?:be\s+|being\s+)?(?:feature[\s-]*)?gated\b|\bun-?gated\b|"
                r"\bnon-?gated\b)", re.I),
    LazyPattern(rf"(?=[fF]){_GATE}\s+(?:is|are|was|would\s+be|will\s+be)\s+(?:not\s+(?:needed|required|necessary|"
                rf"introduced|added|planned)|unnecessary|not\s+applicable)", re.I),
    LazyPattern(rf"(?=[nNsSoOaAfF])\b(?:no\s+need\s+for|skip(?:s|ping)?|omit(?:s|ting)?|avoid(?:s|ing)?|"
                rf"forgo(?:es|ing)?)\s+(?:the\s+|a\s+|any\s+)?{_GATE}", re.I),
    LazyPattern(rf"(?=[dDwW])\b(?:does|do|would|will){_NOT}\s+make\s+sense\s+to\s+(?:create|add|have|introduce|use)\s+"
                rf"(?:a\s+|an?\s+new\s+)?{_GATE}", re.I),
]
#: Statements that the feature goes straight to GA (GA features have no gate).
DIRECT_GA_RES = [
    LazyPattern(r"(?=[dDsSiIrR])\b(?i:directly|straight|immediately|right\s+away)\s+(?:\w+\s+){0,3}?(?:to|into|as|at)\s+"
               r"(?:the\s+)?(?:GA\b|(?i:general[\s-]+availability))"),
    LazyPattern(r"(?=[sS])\bsingle\s+(?:lifecycle|graduation|feature)\s+(?:phase|stage)\b", re.I),
    LazyPattern(r"(?=[dD])\bdoes\s+not\s+have\s+graduation\s+phases\b", re.I),
]
#: Per pattern of DIRECT_GA_RES, words one of which its match contains (lower case).
_DIRECT_GA_WORDS = [("directly", "straight", "immediately", "away"), ("single",), ("graduation",)]


class OptOut(NamedTuple):
    """A sentence saying the VEP has no feature gate.

    Attributes:
        line: 1-based file line of the statement.
        text: the statement (the matched phrase with some context, one line).
        justification: the text a reason is looked for in, as a :class:`Paragraph` (so that
            a phrase in it can be traced to its line): the statement's paragraph, the next
            one in the same section and, for a VEP that goes straight to GA, the Graduation
            Requirements section.
        direct_ga: the statement is about going straight to GA rather than about the gate.
        implicit: found from the structure (a Graduation Requirements section with only a GA
            stage), not from a sentence.
    """

    line: int
    text: str
    justification: Paragraph
    direct_ga: bool = False
    implicit: bool = False


class _LineIndex:
    """The innermost section of a file line, and whether it or a section around it is an
    Alternatives section or a GA stage subsection (a bisection over the section starts)."""

    def __init__(self, doc):
        self.sections = doc.sections
        self.starts = [s.line for s in doc.sections]
        self.flags: list[tuple[bool, bool]] = []  # per section: (alternative, ga), enclosing ones included
        stack: list[tuple[int, bool, bool]] = []  # open sections: (level, alternative, ga)
        for s in doc.sections:
            while stack and stack[-1][0] >= s.level:
                stack.pop()
            outer_alt, outer_ga = stack[-1][1:] if stack else (False, False)
            alt = outer_alt or "alternative" in s.key
            ga = outer_ga or (s.level >= 3 and _GA_HEADING_RE.match(s.title) is not None)
            stack.append((s.level, alt, ga))
            self.flags.append((alt, ga))

    def _index(self, line: int) -> int | None:
        i = bisect_right(self.starts, line) - 1
        return i if i >= 0 and line <= self.sections[i].end_line else None

    def section(self, line: int):
        i = self._index(line)
        return None if i is None else self.sections[i]

    def excluded(self, line: int, direct: bool) -> bool:
        """In an Alternatives section (a rejected "No Feature Gate" option), or, for gate
        statements, in a GA stage subsection ("API available without a FeatureGate" is the
        end state, not an opt-out)."""
        i = self._index(line)
        if i is None:
            return False
        alt, ga = self.flags[i]
        return alt or (not direct and ga)


_GA_HEADING_RE = LazyPattern(r"^\W*(?:post[\s-]*)?(?:GA\b|general availability)", re.I)


_ITEM_START_RE = LazyPattern(r"^(?:[-*+]\s|\d+[.)]\s|\||#|\*\*|__)")
_SENTENCE_END_RE = LazyPattern(r"[.!?;](?=\s)|[.!?]$")


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` (lines joined with ``"\\n"``) around ``[start, end)``, on
    one line: a sentence ends at ``.``, ``!``, ``?`` or ``;`` followed by a space, at a
    blank line and where a list item, table row, heading or bold label starts."""
    pos = 0
    left, right = 0, len(text)
    for raw in text.split("\n"):  # logical lines: a list item, row or heading starts one
        if pos > 0 and (not raw.strip() or _ITEM_START_RE.match(raw.strip())):
            if pos <= start:
                left = pos
            elif right == len(text):
                right = pos - 1
        if raw.lstrip().startswith("#") and pos <= start:
            left = pos + len(raw)  # a heading is never part of the sentence
        pos += len(raw) + 1
    for m in _SENTENCE_END_RE.finditer(text, left, right):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.end()
            break
    return " ".join(text[left:right].split())


def _join(parts: list[Paragraph]) -> Paragraph:
    """Paragraphs as one, separated by a blank line (mapped to the line before it)."""
    lines: list[int] = []
    for part in parts:
        if lines:
            lines.append(lines[-1])
        lines.extend(part.lines)
    return Paragraph(lines, "\n\n".join(part.text for part in parts))


def _section_paragraph(doc, section) -> Paragraph | None:
    """A section's lines (below its heading, subsections included, comments blanked) as one
    :class:`Paragraph`."""
    if section is None:
        return None
    text = blank_comments(section.body)
    return Paragraph(list(range(section.line + 1, section.end_line + 1)) or [section.line], text)


def opt_outs(doc, template, text: BodyText | None = None) -> list[OptOut]:
    """Opt-out statements of ``doc`` (see the rule's documentation), in document order."""
    text = text or body_text(doc)
    grad = graduation_section(doc, template)
    grad_para = _section_paragraph(doc, grad)
    grad_text = grad_para.text if grad_para is not None else ""
    ga_only = grad is not None and _ga_only(doc, grad)
    single_phase = ga_only or any(rx.search(grad_text) for rx in DIRECT_GA_RES)
    found: list[OptOut] = []
    index: _LineIndex | None = None  # built at the first statement found
    paras = text.paragraphs
    flat, windows = text.flat, text.gate_windows
    direct_candidates = [text.with_words(words) for words in _DIRECT_GA_WORDS]
    for idx in sorted(set(windows).union(*direct_candidates)):
        p, (ps, pe) = paras[idx], text.span(idx)
        # The first statement of the paragraph is taken, and whether it is excluded depends
        # only on its section (and on `direct`): the first match of each pattern is enough.
        hits = []
        for rx in _OPT_OUT_RES:
            m = next((m for start, end in windows.get(idx, ()) if (m := rx.search(flat, start, end))), None)
            if m:
                hits.append((m.start() - ps, m.end() - ps, False))
        for rx, candidates in zip(DIRECT_GA_RES, direct_candidates):
            if idx in candidates and (m := rx.search(flat, ps, pe)):
                hits.append((m.start() - ps, m.end() - ps, True))
        for start, end, direct in sorted(hits, key=lambda h: h[0]):
            line = p.line_at(start)
            index = index or _LineIndex(doc)
            if index.excluded(line, direct):
                continue
            parts = [p]
            nxt = paras[idx + 1] if idx + 1 < len(paras) else None
            if nxt is not None and index.section(p.lines[-1]) is index.section(nxt.line):
                parts.append(nxt)
            if grad_para is not None and single_phase:
                parts.append(grad_para)
            justification = _join(parts)
            found.append(OptOut(line, sentence_at(p.text, start, end), justification, direct))
            break  # one statement per paragraph
    if not found and ga_only:
        found.append(OptOut(grad.line, f"{grad.title}: GA only", grad_para, True, True))
    return found


def _ga_only(doc, grad) -> bool:
    """The graduation section labels GA with content and no Alpha or Beta with content."""
    marks = stage_marks(doc, grad)
    with_content = {m.stage for m in marks if m.has_content}
    return with_content == {"ga"}


# --- reasons (shared with VEP502) ------------------------------------------------------------

_REASON_WORD_RE = LazyPattern(
    r"\b(?:because|since|due\s+to|as\s+(?:it|this|the|there|we|its|they|all)|reasons?|rationale|justif\w*|"
    r"therefore|thus|hence|so\s+that|in\s+order\s+to|given\s+(?:that|the))\b", re.I)

#: docs/feature-lifecycle.md's weak reasons, by kind.
WEAK_REASONS = {
    "a simple change": LazyPattern(
        r"\b(?:simple|small|trivial|straight[\s-]?forward|minor|minimal|limited\s+(?:functional\s+)?scope|"
        r"low[\s-]risk|(?:no|little|minimal)\s+risk|not\s+pose\s+(?:a|any)\s+(?:significant\s+|major\s+|real\s+)?risk|"
        r"no\s+special\s+implications)\b", re.I),
    "off by default, hence safe": LazyPattern(
        r"\b(?:(?:off|disabled)\s+by\s+default|not\s+enabled\s+by\s+default|opt[\s-]?in|optional|hence\s+safe|"
        r"safe\s+by\s+default)\b", re.I),
    "backward compatibility": LazyPattern(
        r"\b(?:backwards?[\s-]+compatib\w*|keeps?\s+(?:the\s+)?compatibility|compatible\s+with\s+existing|"
        r"no\s+(?:api\s+)?break\w*|non[\s-]?breaking|(?:does|do|will|would)(?:\s+not|n't)\s+break|"
        r"existing\s+\w+(?:\s+\w+)?\s+(?:are\s+|remain\s+|stay\s+)?unaffected)\b", re.I),
}
#: docs/feature-lifecycle.md's possibly acceptable reasons.
ACCEPTABLE_REASONS = {
    "old and new cannot live side by side": LazyPattern(
        r"\b(?:impossible|not\s+possible|cannot\s+(?:be\s+)?(?:feature[\s-]*)?(?:gated|coexist|co-exist|live)|"
        r"can't\s+(?:be\s+)?(?:gated|coexist|co-exist)|in\s+harmony|side\s+by\s+side|"
        r"(?:does|do|would|will)(?:\s+not|n't)\s+make\s+sense\s+to\s+(?:create|add|have|introduce|use)\s+(?:a\s+)?"
        r"feature[\s-]*gate)", re.I),
    "reshaping an existing feature": LazyPattern(
        r"\b(?:reshap\w*|rework\w*\s+(?:of\s+)?(?:an?\s+|the\s+)?existing|(?:no|not\s+(?:a|any))\s+new\s+"
        r"(?:functionality|feature|behaviou?r|capabilit\w*)|new,?\s+(?:more\s+\w+\s+)?way\s+to\s+"
        r"(?:configure|express|use)\s+existing|existing\s+(?:behaviou?r|functionality|feature)\s+in\s+a\s+new\s+way)",
        re.I),
    "logic under an existing gate": LazyPattern(
        r"\b(?:(?:under|behind|guarded\s+by|protected\s+by|covered\s+by|gated\s+by)\s+(?:the\s+|an\s+)?existing\s+"
        r"(?:`?\w+`?\s+)?(?:feature[\s-]*)?gate|existing\s+`?\w+`?\s+feature[\s-]*gate)", re.I),
}
#: Reasons the policy classifies neither way: reviewers judge them (VEP502 stays quiet).
OTHER_REASONS = LazyPattern(
    r"\b(?:bug[\s-]?fix\w*|transparent|no\s+user[\s-]facing|not\s+(?:really\s+)?a\s+feature|process\s+change|"
    r"policy\s+change|(?:CI|build|test(?:ing)?)\s+(?:infrastructure|change|lanes?))\b", re.I)


def has_reason(text: str) -> bool:
    """``text`` gives a reason: a causal word or a reason the policy discusses."""
    if _REASON_WORD_RE.search(text) or OTHER_REASONS.search(text):
        return True
    return any(rx.search(text) for rx in (*WEAK_REASONS.values(), *ACCEPTABLE_REASONS.values()))


# --- the rule -------------------------------------------------------------------------------

class GateFacts:
    """What a VEP says about its feature gate. The body is read when first asked about, and
    each part is computed once.

    Attributes:
        front_matter: the gate named in the front matter, if any.
        body: gates named in the body (:func:`body_gates`).
        opt_outs: opt-out statements (:func:`opt_outs`).
    """

    def __init__(self, doc, template):
        # a weak reference: the facts are kept with the document (VepDocument.memo), and a
        # cycle would outlive it (``vep-review check`` runs without the cyclic collector)
        self._doc, self._template = weakref.proxy(doc), template
        self.front_matter: GateName | None = front_matter_gate(doc)

    @cached_property
    def _text(self) -> BodyText:
        return body_text(self._doc)

    @cached_property
    def body(self) -> list[GateName]:
        return body_gates(self._doc, self._text)

    @cached_property
    def body_names_one(self) -> bool:
        """The body names a gate (stops at the first: cheaper than :attr:`body`)."""
        if "body" in self.__dict__:
            return bool(self.body)
        return next(iter_body_gates(self._doc, self._text), None) is not None

    @cached_property
    def opt_outs(self) -> list[OptOut]:
        return opt_outs(self._doc, self._template, self._text)

    @property
    def named(self) -> bool:
        """A gate is named somewhere."""
        return self.front_matter is not None or self.body_names_one

    @property
    def justified(self) -> list[OptOut]:
        """Opt-outs that come with a reason."""
        return [o for o in self.opt_outs if has_reason(o.justification.text)]


def gate_facts(doc, template) -> GateFacts:
    """The :class:`GateFacts` of ``doc``, kept with the document: VEP404, VEP405, VEP501 and
    VEP502 all ask about it. Never raises."""
    return doc.memo(("gate facts", template), lambda: GateFacts(doc, template))


def check(doc, ctx):
    if doc.info.is_template:
        return
    if doc.is_process:
        if not doc.is_meta:  # exempt by its own words: say so, so that a wrong reading shows
            line, words = doc.process_statement
            yield Problem(
                f"Read as a process VEP (\"{words}\"): no feature gate, graduation stages or `stage` are expected.",
                line=line, severity="info",
                fix="If the VEP adds a feature after all, reword that sentence: the feature-gate and graduation "
                    "rules then apply.",
            )
        return
    fm = doc.front_matter
    if fm is not None and fm.error is not None:
        return  # unreadable front matter (VEP203): whether it names a gate is unknown
    if front_matter_gate(doc) is not None:
        return  # the common case for VEP-282 documents: no need to read the body
    facts = gate_facts(doc, ctx.template)
    if fm is None and facts.body_names_one:
        return  # without front matter, a gate named in the body is enough (and opt-outs need not be read)
    if facts.justified:
        return
    if facts.body:  # named in the body of a VEP with front matter: it belongs in `feature-gate`
        gate = facts.body[0]
        if isinstance(fm.data, dict) and fm.data.get("feature-gate") in (None, ""):
            yield Problem(
                f"The front matter has no `feature-gate`, though the body names the `{gate.name}` gate "
                f"(line {gate.line}).",
                line=fm.line_of("feature-gate"),
                fix=f"Add `feature-gate: {gate.name}` to the front matter.",
            )
        return
    stated = [o for o in facts.opt_outs if not o.implicit]
    if stated:
        o = stated[0]
        yield Problem(
            f"The VEP says it has no feature gate but gives no reason: \"{_short(o.text)}\".",
            line=o.line,
            fix="Explain why the feature needs no gate (docs/feature-lifecycle.md lists what counts as a strong "
                "reason), or add one.",
        )
        return
    grad = graduation_section(doc, ctx.template)
    if fm is not None:
        line = fm.line_of("feature-gate")
        where = "the front matter names no `feature-gate` and the body"
    else:
        line = grad.line if grad is not None else None
        where = "the body"
    if facts.opt_outs:  # only implied: a GA-only Graduation Requirements section
        what = "goes straight to GA without saying why the feature needs no gate"
    else:
        what = "neither names one nor explains why the feature needs none"
    yield Problem(
        f"No feature gate is named: {where} {what}.",
        line=line,
        fix="Name the gate (`feature-gate: <Name>` in the front matter and in Design), or justify in the body "
            "why the feature needs none.",
    )


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
