"""The parsed representation of one VEP document, used by every rule, the LLM reviewer and
every front end.

:func:`parse` turns bytes into a :class:`VepDocument`:

- **decoding**: UTF-8 (a BOM is stripped and noted; UTF-16 and UTF-32 with a BOM are
  decoded and noted), CRLF line ends are folded, bytes that
  are not UTF-8 are replaced and noted, NUL bytes mark the file as binary;
- **front matter** (meta-VEP 282, docs/vep-governance.md "Front Matter Schema"): detected
  with python-frontmatter's YAML handler, loaded by :mod:`agent.yamlsafe` so that keys keep
  their line numbers and YAML 1.1 conversions are reported instead of applied;
- **markdown structure** (CommonMark, :func:`headings`): headings with level and line,
  each section's body, and whether a section is empty once HTML comments, headings and
  template placeholder text are removed;
- **path facts** (:class:`PathInfo`): SIG directory, VEP number and name from
  ``<number>-<name>/``, meta-VEP, template;
- **title**: the H1, ``VEP #N: title`` (also ``VEP N:``, ``VEP-N``, ``VEP \\#N``).

All line numbers are 1-based lines of the file as stored.
"""

from __future__ import annotations

import os
import re
from array import array
from bisect import bisect_right
from itertools import accumulate, chain, count, islice
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover - imported where a front matter block is loaded
    from agent import yamlsafe

#: Phrases that stand for "nothing written yet" when they are all a section holds.
PLACEHOLDERS = {"tbd", "todo", "tba", "...", "…", "placeholder", "fill me", "to be added", "to be filled"}

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
#: Linear time: every run of spaces is matched possessively (``\s*+``: no backtracking into
#: it), and the title is taken whole and stripped afterwards (``.*?\s*$`` retried the space
#: run at every character: 9 s for an H1 of 40,000 spaces).
_TITLE_RE = re.compile(
    r"^\s*+VEP\s*+[-–:]?\s*+\\?#?\s*+(?P<number>\d++|N{2,}+)?\s*+[:\-–—.]?\s*+(?P<title>.*)$", re.I)
_ATX_OPENER_RE = re.compile(r"^#{1,6}(?=[ \t]|$)")
#: A VEP saying that it is a process VEP (see :attr:`VepDocument.process_statement`).
_PROCESS_VEP_RE = re.compile(
    r"\bthis\s+is\s+a\s+process\s+VEP\b|\bthis\s+(?:VEP|proposal|enhancement)\s+is\s+(?:a\s+|purely\s+a\s+)?"
    r"(?:process(?:\s*(?:/|and|or)\s*policy)?|policy\s*(?:/|and|or)\s*process)\s+(?:VEP|change|proposal|enhancement)\b",
    re.I)
#: A run of whitespace (``\s`` is the whitespace of ``str.split``).
_SPACE_RUN_RE = re.compile(r"\s+")
_VEP_DIR_RE = re.compile(r"^(?P<number>\d+)[-_ ](?P<name>.+)$")
_PARENTHESIZED_RE = re.compile(r"\(.*?\)")
_WORD_RE = re.compile(r"[a-z0-9]+")

#: Most digits a VEP number or a release's major or minor number may have. Longer digit runs
#: are "not a valid VEP number / release" (a finding of the rule that reads them) and never
#: reach ``int()``, which refuses more than 4,300 digits (``sys.get_int_max_str_digits``).
MAX_NUMBER_DIGITS = 9


def small_int(digits: str) -> int | None:
    """``int(digits)`` for a run of at most :data:`MAX_NUMBER_DIGITS` decimal digits
    (``"0307"`` -> 307; Unicode decimal digits count, as for ``int``); ``None`` for anything
    longer, empty or not all digits (``"³"``, ``"12a"``). Never raises."""
    if not digits or len(digits) > MAX_NUMBER_DIGITS or not digits.isdecimal():
        return None
    return int(digits)


#: Headings longer than this are normalized without the cache (a cached one would stay in
#: memory after its document: a hostile "heading" can be megabytes long).
_CACHED_HEADING = 512


def normalize_heading(text: str) -> str:
    """Lowercase a heading and keep only words: ``"Update / Compatibility"`` ->
    ``"update compatibility"``, ``"Non-Goals"`` -> ``"non goals"``. Results for headings
    of up to 512 characters are cached: rules normalize the same template names and
    headings again and again."""
    return _normalize_heading_cached(text) if len(text) <= _CACHED_HEADING else _normalize_heading(text)


def _normalize_heading(text: str) -> str:
    if "(" in text:
        text = _PARENTHESIZED_RE.sub(" ", text)  # "Implementation Phases (for v1alpha1 in v1.7.0)"
    return " ".join(_WORD_RE.findall(text.lower()))


_normalize_heading_cached = lru_cache(maxsize=4096)(_normalize_heading)


def strip_comments(text: str) -> str:
    """Remove HTML comments (an unterminated one runs to the end of ``text``)."""
    return _COMMENT_RE.sub("", text)


def blank_comments(text: str) -> str:
    """Replace HTML comments by the line breaks they held, so that line numbers stay (an
    unterminated comment runs to the end of ``text``)."""
    return _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text) if "<!--" in text else text


def _blank_range(text: str, start: int, end: int) -> str:
    """``blank_comments(text[start:end])`` without that slice: the parts between comments
    joined (of a large text, one copy instead of three)."""
    parts, pos = [], start
    for m in _COMMENT_RE.finditer(text, start, end):
        parts.append(text[pos:m.start()])
        parts.append("\n" * text.count("\n", m.start(), m.end()))
        pos = m.end()
    parts.append(text[pos:end])
    return "".join(parts)


#: The start of a line that :func:`prose_lines` does not yield: the newline before a code
#: fence (```` ``` ```` or ``~~~`` after at most three spaces; group ``fence``) or before a
#: heading (``#`` after any indent). ``[^\S\n]`` is ``\s`` within one line; starting with a
#: literal newline lets the search jump from line to line.
_NOT_PROSE_LINE_RE = re.compile(r"\n(?:[^\S\n]{0,3}(?P<fence>```|~~~)|[^\S\n]*#)")
#: The same, for the first line (which no newline precedes).
_NOT_PROSE_FIRST_LINE_RE = re.compile(r"[^\S\n]{0,3}(?P<fence>```|~~~)|[^\S\n]*#")

#: Characters of text split into lines at a time (:func:`split_lines`): large documents are
#: never split whole, so that their lines are not all held at once.
_CHUNK = 1 << 16


def line_chunks(text: str, start: int = 0, end: int | None = None):
    """Yield ``text[start:end]`` in pieces of whole lines, about 64k characters each (a line
    longer than that is one piece): joined with ``"\n"`` they are ``text[start:end]``."""
    end = len(text) if end is None else end
    while end - start > _CHUNK:
        cut = text.rfind("\n", start, start + _CHUNK)
        if cut < 0:
            cut = text.find("\n", start + _CHUNK, end)
            if cut < 0:
                break
        yield text[start:cut]
        start = cut + 1
    yield text[start:end]


def blanked_chunks(text: str, start: int = 0, end: int | None = None):
    """:func:`line_chunks` of ``text[start:end]`` with HTML comments blanked (line breaks
    kept): joined with ``"\n"`` they are ``blank_comments(text[start:end])``, without that
    copy of a large text. Chunks are cut outside comments."""
    end = len(text) if end is None else end
    if text.find("<!--", start, end) < 0:
        yield from line_chunks(text, start, end)
        return
    comments = _COMMENT_RE.finditer(text, start, end)
    m = next(comments, None)
    while end - start > _CHUNK:
        cut = text.rfind("\n", start, start + _CHUNK)
        if cut < 0:
            cut = text.find("\n", start + _CHUNK, end)
        while cut >= 0 and m is not None and m.start() < cut:
            if m.end() > cut:  # inside a comment: cut at the end of its line
                cut = text.find("\n", m.end())
            m = next(comments, None)
        if cut < 0:
            break
        yield _blank_range(text, start, cut)
        start = cut + 1
    yield _blank_range(text, start, end)


def split_lines(text: str, start: int = 0, end: int | None = None):
    """An iterator over the lines of ``text[start:end]`` (``text[start:end].split("\n")``),
    split a chunk of about 64k characters at a time: the lines of a large document are
    never all in memory at once."""
    end = len(text) if end is None else end
    if end - start <= _CHUNK:
        return iter(text[start:end].split("\n"))
    return chain.from_iterable(chunk.split("\n") for chunk in line_chunks(text, start, end))


def prose_lines(lines: list[str] | str, first_line: int, start: int = 0):
    """Yield ``(file line, text)`` for the lines a reader sees as prose: HTML comments
    blanked (line numbers kept), and fenced code and heading lines skipped.

    Args:
        lines: consecutive lines of the file, or their text joined with ``"\n"`` (such as
            :attr:`VepDocument.body`, which saves joining them again).
        first_line: the 1-based file line of the first line.
        start: with a text, read it from this character (a line start; such as
            :attr:`VepDocument.text` from :attr:`VepDocument.body_start`: no copy of the
            body), comments blanked a chunk of lines at a time.
    """
    text = lines if isinstance(lines, str) else "\n".join(lines)
    fenced = [False]  # inside a fence at the end of the chunks read so far
    for chunk in blanked_chunks(text, start):
        yield from _prose_lines_of(chunk, first_line, fenced)
        first_line += chunk.count("\n") + 1


def _prose_lines_of(text: str, line: int, fenced: list[bool]):
    """:func:`prose_lines` of one chunk of whole lines (comments blanked), from file line
    ``line``; ``fenced[0]``: inside a fence at its start, then at its end."""
    # one search finds the fence and heading lines; the runs of lines between them are
    # prose unless inside a fence (split a chunk at a time: never all the lines at once)
    inside = fenced[0]
    start = 0  # character where the first line after the last fence or heading line starts
    first = _NOT_PROSE_FIRST_LINE_RE.match(text)
    if first:  # the first line is a fence or heading line
        if first.group("fence"):
            inside = not inside
        start = text.find("\n") + 1 or len(text) + 1
        line += 1
    for m in _NOT_PROSE_LINE_RE.finditer(text):
        at, fence = m.start() + 1, m.group("fence")  # `at`: where the fence or heading line starts
        if not inside and at > start:
            yield from zip(count(line), split_lines(text, start, at - 1))
        line += text.count("\n", start, at) + 1
        if fence:
            inside = not inside
        start = text.find("\n", at) + 1 or len(text) + 1
    if not inside and start <= len(text):
        yield from zip(count(line), split_lines(text, start))
    fenced[0] = inside


class Lines:
    """The lines of a text, without holding them: ``lines[i]`` is cut from the text when
    asked for. A list of the lines of a 20 MB VEP would take 40 MB more than the text
    itself; this keeps the offset where each line starts (8 bytes a line).

    Behaves as the list ``text.split("\n")`` for reading: ``len``, ``lines[i]`` (negative
    ``i`` too; ``IndexError`` past the end), ``lines[i:j]`` (a list), iteration.
    """

    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        self.text = text
        starts = array("L")  # where each line starts, then len(text) + 1
        pos, end = 0, len(text)
        while True:  # a chunk at a time: the lines of one chunk only are held at once
            cut = text.find("\n", pos + _CHUNK) if pos + _CHUNK < end else -1
            stop = end if cut < 0 else cut + 1
            parts = (text if pos == 0 and stop == end else text[pos:stop]).split("\n")
            # where each part starts, and one past the last: running sums of (length + 1)
            starts.extend(accumulate([len(part) + 1 for part in parts], initial=pos))
            if stop == end:
                break
            del starts[-2:]  # the empty part after the chunk's last newline is the next chunk's first line
            pos = stop
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, key):
        if isinstance(key, slice):
            first, end, step = key.indices(len(self))
            if step != 1:
                return [self[i] for i in range(first, end, step)]
            return self.text[self.starts[first]:self.starts[end] - 1].split("\n") if first < end else []
        n = len(self.starts) - 1
        if key < 0:
            key += n
        if not 0 <= key < n:
            raise IndexError("line index out of range")
        return self.text[self.starts[key]:self.starts[key + 1] - 1]

    def __iter__(self):
        return split_lines(self.text)  # (an iterator over one list for a text of one chunk)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, Lines)) else NotImplemented

    def __repr__(self) -> str:
        return f"Lines({len(self)} lines)"

    def joined(self, first: int, end: int) -> str:
        """``"\n".join(self[first:end])`` (0-based, ``end`` exclusive, clipped to the
        text), cut from the text in one slice."""
        end = min(end, len(self))
        return self.text[self.starts[first]:self.starts[end] - 1] if first < end else ""

    def line_at(self, offset: int) -> int:
        """The 0-based line holding character ``offset`` of the text."""
        return bisect_right(self.starts, offset) - 1


_NON_SPACE_RE = re.compile(r"\S")
#: What :meth:`Section._content_lines` yields for a long line that counts (not a placeholder).
_LONG_LINE = "\x00long line\x00"
#: The characters ``str.split()`` splits at (``str.isspace``).
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


#: Characters of a section above which its comments are blanked in place, not stripped from a copy.
_LARGE_SECTION = 1 << 20


def _between(start: int, stop: int, holes: list[tuple[int, int]]):
    """The spans of ``[start, stop)`` outside ``holes`` (sorted, disjoint, within it)."""
    for a, b in holes:
        if a > start:
            yield start, a
        start = max(start, b)
    if stop > start:
        yield start, stop


def fold_spaces(text: str) -> str:
    """``" ".join(text.split())``; a long text a piece at a time (cut at whitespace), not
    through a list of every word of it (ten times its size in memory)."""
    if len(text) <= 4096:
        return " ".join(text.split())
    parts, pos = [], 0
    while pos < len(text):
        m = _SPACE_RUN_RE.search(text, pos + _CHUNK)
        end = m.start() if m else len(text)
        part = " ".join(text[pos:end].split())
        if part:
            parts.append(part)
        pos = end
    return " ".join(parts)


def _is_placeholder(line: str) -> bool:
    """``line`` (spaces folded), without ``-*: `` around it, is a :data:`PLACEHOLDERS` word.
    A long line whose both ends hold other characters is none (and is not copied)."""
    if len(line) > 256 and line[:64].strip("-*: ") and line[-64:].strip("-*: "):
        return False
    return line.strip("-*: ").lower() in PLACEHOLDERS


class Section:
    """A markdown heading and the text under it.

    Attributes:
        level: 1 for ``#``, 2 for ``##``, …
        title: heading text as written (inline markup kept).
        line: 1-based line of the heading.
        end_line: 1-based last line of the section, subsections included.
        body: the text between the heading and ``end_line``, subsections included.
    """

    def __init__(self, level: int, title: str, line: int, end_line: int, body: "str | Lines"):
        self.level, self.title, self.line, self.end_line = level, title, line, end_line
        if isinstance(body, str):
            self.__dict__["body"] = body
        else:  # the file's lines: the body is cut from them on first use, so that the
            self._lines = body  # nested sections of a large VEP do not each hold a copy of its text

    @cached_property
    def body(self) -> str:
        """The text between the heading and ``end_line`` (cut from the file on first use)."""
        return self._lines.joined(self.line, self.end_line)

    def __repr__(self) -> str:
        return f"Section({self.level}, {self.title!r}, line={self.line}, end_line={self.end_line})"

    @cached_property
    def key(self) -> str:
        """:func:`normalize_heading` of the title."""
        return normalize_heading(self.title)

    def _content_lines(self, fold_long: bool = True, fold_long_over: int = 0):
        """Yield the lines of :meth:`meaningful_lines` before the template placeholders are
        taken out (they depend on the caller), one at a time: :meth:`is_empty` stops at
        the first line that counts. With ``fold_long`` false, a line of more than 4096
        characters with more than ``fold_long_over`` (and 256) that are not spaces is yielded as
        :data:`_LONG_LINE` instead of a folded copy: no placeholder is that long."""
        if "body" in self.__dict__ or "_lines" not in self.__dict__:
            text, start, end = self.body, 0, len(self.body)
        else:  # read from the file's text: the body is not cut (nor kept) for this
            lines = self._lines
            first, last = self.line, min(self.end_line, len(lines))
            text, start, end = (lines.text, lines.starts[first], lines.starts[last] - 1) if first < last else ("", 0, 0)
        if text.find("<!--", start, end) < 0:
            yield from self._lines_between(text, start, end, fold_long, fold_long_over)
        elif end - start <= _LARGE_SECTION:
            text = strip_comments(text[start:end])
            yield from self._lines_between(text, 0, len(text), fold_long, fold_long_over)
        else:  # a large section: line by line with its comments blanked, no copy of it
            yield from self._commented_lines(text, start, end, fold_long, fold_long_over)

    @classmethod
    def _commented_lines(cls, text: str, start: int, end: int, fold_long: bool, fold_long_over: int):
        """:meth:`_lines_between` of ``text[start:end]`` with its HTML comments blanked (line
        breaks kept), a line at a time: a short line is blanked as a copy, a long one counted
        in place (the characters of the comments in it taken off)."""
        comments = [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text, start, end)]
        k, pos = 0, start
        while pos < end:
            stop = text.find("\n", pos, end)
            stop = end if stop < 0 else stop
            while k < len(comments) and comments[k][1] <= pos:
                k += 1
            inside = []  # the comment parts within this line
            j = k
            while j < len(comments) and comments[j][0] < stop:
                inside.append((max(comments[j][0], pos), min(comments[j][1], stop)))
                j += 1
            if not inside:
                yield from cls._lines_between(text, pos, stop, fold_long, fold_long_over)
            elif stop - pos > 4096 and not fold_long:
                outside = stop - pos - sum(text.count(c, pos, stop) for c in _WHITESPACE)
                for a, b in inside:
                    outside -= b - a - sum(text.count(c, a, b) for c in _WHITESPACE)
                if outside > fold_long_over:  # (a heading line is a heading whatever its comments)
                    first = _NON_SPACE_RE.search(text, pos, stop)
                    if text[first.start()] != "#":
                        yield _LONG_LINE
                else:
                    line = "".join(text[a:b] for a, b in _between(pos, stop, inside))
                    yield from cls._lines_between(line, 0, len(line), fold_long, fold_long_over)
            else:
                line = "".join(text[a:b] for a, b in _between(pos, stop, inside))
                yield from cls._lines_between(line, 0, len(line), fold_long, fold_long_over)
            pos = stop + 1

    @staticmethod
    def _lines_between(text: str, start: int, end: int, fold_long: bool, fold_long_over: int):
        """:meth:`_content_lines` of ``text[start:end]`` (comments already out)."""
        pos = start
        while pos < end:  # line by line, by offsets: no copy of a long line, nor of the section
            stop = text.find("\n", pos, end)
            stop = end if stop < 0 else stop
            if stop - pos <= 4096:
                line = " ".join(text[pos:stop].split())
                if line and line[0] != "#" and (line.strip("-*: ").lower() not in PLACEHOLDERS if len(line) <= 256
                                                else not _is_placeholder(line)):
                    yield line
            else:
                first = _NON_SPACE_RE.search(text, pos, stop)
                if first is not None and text[first.start()] != "#":
                    # more characters than any placeholder has, spaces aside: it counts, unfolded
                    if not fold_long and stop - pos - sum(text.count(c, pos, stop) for c in _WHITESPACE) > fold_long_over:
                        yield _LONG_LINE
                        pos = stop + 1
                        continue
                    line = fold_spaces(text[pos:stop])
                    if not _is_placeholder(line):
                        yield line
            pos = stop + 1

    def meaningful_lines(self, placeholders: frozenset[str] = frozenset()) -> list[str]:
        """Lines that say something: no HTML comments, headings, blank lines,
        template placeholder lines (``placeholders``, normalized with ``" ".join(split())``)
        or lone placeholder words such as ``TBD``."""
        return [line for line in self._content_lines() if line not in placeholders]

    def is_empty(self, placeholders: frozenset[str] = frozenset()) -> bool:
        """True when :meth:`meaningful_lines` is empty (without folding a long line's spaces:
        a line of more than 4096 characters that counts is no placeholder)."""
        longest = max(256, max(map(len, placeholders), default=0))
        return all(line in placeholders for line in self._content_lines(fold_long=False, fold_long_over=longest))


class FrontMatter:
    """The YAML block between ``---`` lines at the top of the file.

    Attributes:
        start_line: line of the opening ``---`` (1, or 1 after a BOM).
        end_line: line of the closing ``---``; ``None`` when unterminated.
        raw: the YAML text between the delimiters.
        data: the mapping (scalars as written); empty when ``error`` is set.
        key_lines: dotted key path -> 1-based *file* line.
        error: why the block could not be loaded (:class:`agent.yamlsafe.YamlError`), if so.
        duplicates: (key path, file line) of repeated keys.
        implicit_types: YAML 1.1 conversions, lines relative to the file.
    """

    __slots__ = ("start_line", "end_line", "raw", "data", "key_lines", "error", "duplicates", "implicit_types")

    def __init__(self, start_line: int, end_line: int | None, raw: str):
        self.start_line, self.end_line, self.raw = start_line, end_line, raw
        self.data: dict = {}
        self.key_lines: dict[str, int] = {}
        self.error: yamlsafe.YamlError | None = None
        self.duplicates: list[tuple[str, int]] = []
        self.implicit_types: list[yamlsafe.ImplicitType] = []

    def __repr__(self) -> str:
        return f"FrontMatter(lines {self.start_line}-{self.end_line}, keys={list(self.data)}, error={self.error!r})"

    def line_of(self, key: str) -> int:
        """File line of ``key`` (dotted path), else the line of its parent, else the
        opening delimiter."""
        while key:
            if key in self.key_lines:
                return self.key_lines[key]
            key = key.rpartition(".")[0]
        return self.start_line

    def get(self, key: str, default=None):
        """``data[key]`` for a top-level key."""
        return self.data.get(key, default)


class PathInfo(NamedTuple):
    """What the path inside the enhancements repository says about a document.

    Attributes:
        repo_path: POSIX path relative to the repository root, e.g.
            ``"veps/sig-network/307-vhostuser-binding-plugin/vep.md"``; when the file is not
            inside a ``veps/`` tree, just its name.
        in_veps: whether ``repo_path`` starts with ``veps/``.
        sig_dir: first directory under ``veps/`` (``"sig-network"``, ``"meta-VEPs"``).
        vep_dir: the directory holding the document when it is two levels under ``veps/``.
        number: the VEP number that ``vep_dir`` starts with, if any.
        name: the part of ``vep_dir`` after the number.
    """

    repo_path: str
    in_veps: bool
    sig_dir: str | None = None
    vep_dir: str | None = None
    number: int | None = None
    name: str | None = None

    @property
    def is_meta(self) -> bool:
        """Under ``veps/meta-VEPs/`` (exempt from feature-gate and stage, VEP-282)."""
        return self.sig_dir == "meta-VEPs"

    @property
    def is_template(self) -> bool:
        """The VEP template itself, ``veps/NNNN-vep-template/``."""
        return "NNNN-vep-template" in self.repo_path

    @property
    def file_name(self) -> str:
        """Last path component."""
        return PurePosixPath(self.repo_path).name

    @classmethod
    def from_repo_path(cls, repo_path: str) -> PathInfo:
        """Split ``repo_path`` (relative to the repository root) into its parts."""
        parts = PurePosixPath(repo_path).parts
        if len(parts) < 2 or parts[0] != "veps":
            return cls(repo_path=repo_path, in_veps=False)
        sig_dir = parts[1] if len(parts) >= 3 else None
        vep_dir = parts[2] if len(parts) >= 4 else None
        number = name = None
        if vep_dir:
            m = _VEP_DIR_RE.match(vep_dir)
            if m:
                number, name = small_int(m["number"]), m["name"]
        return cls(repo_path, True, sig_dir, vep_dir, number, name)


class Title(NamedTuple):
    """The document's H1.

    Attributes:
        text: heading text as written.
        line: 1-based line.
        number: the VEP number in it, ``None`` when there is none (or it is ``NNNN``).
        title: the text after the number.
        well_formed: it reads ``VEP #N: title`` (or ``VEP N:`` / ``VEP-N:``).
    """

    text: str
    line: int
    number: int | None
    title: str
    well_formed: bool


class VepDocument:
    """One VEP markdown file, parsed.

    Attributes:
        path: display path (as the user named it).
        info: :class:`PathInfo`.
        text: decoded text, LF line ends, without BOM.
        front_matter: :class:`FrontMatter`, or ``None`` when the file has none.
        sections: every heading in document order.
        body_line: 1-based file line where the markdown body starts.
        notes: decoding facts: ``"bom"``, ``"crlf"``, ``"invalid-utf8"``, ``"binary"``,
            ``"utf-16"``, ``"utf-32"``.
    """

    def __init__(self, path: str, info: PathInfo, text: str, front_matter: FrontMatter | None,
                 sections: list[Section], body_line: int, notes: set[str] | None = None):
        self.path, self.info, self.text, self.front_matter = path, info, text, front_matter
        self.sections, self.body_line = sections, body_line
        self.notes: set[str] = notes if notes is not None else set()

    def __repr__(self) -> str:
        fm = self.front_matter is not None
        return f"VepDocument({self.path!r}, {len(self.sections)} sections, front_matter={fm})"

    def memo(self, key, compute):
        """``compute()`` once per document and ``key`` (hashable; include what else the result
        depends on, such as the template): what several rules derive from the same
        document is derived once."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @cached_property
    def lines(self) -> Lines:
        """The file's lines (:class:`Lines`, read as a list); ``lines[i]`` is line ``i + 1``."""
        return Lines(self.text)

    @cached_property
    def title(self) -> Title | None:
        """The first H1, parsed; ``None`` when the document has no H1."""
        for s in self.sections:
            if s.level == 1:
                m = _TITLE_RE.match(s.title)
                if not m:
                    return Title(s.title, s.line, None, s.title, False)
                raw_number = m["number"]
                number = small_int(raw_number) if raw_number else None
                # a number too long to be a VEP number (VEP105 says so) is not well formed
                well_formed = bool(raw_number) and bool(m["title"].strip()) and (number is not None or raw_number[0] in "Nn")
                return Title(s.title, s.line, number, m["title"].strip(), well_formed)
        return None

    @property
    def body_start(self) -> int:
        """Offset in :attr:`text` where :attr:`body` starts (``body == text[body_start:]``)."""
        if self.body_line <= 1:
            return 0
        lines = self.lines
        return lines.starts[self.body_line - 1] if self.body_line - 1 < len(lines) else len(self.text)

    @property
    def body(self) -> str:
        """The markdown after the front matter: the text itself when there is none, else cut
        from the text at each use (not kept: it would be a second copy of a large VEP)."""
        return self.lines.joined(self.body_line - 1, len(self.lines)) if self.body_line > 1 else self.text

    @cached_property
    def _h2(self) -> tuple[Section, ...]:
        """The ``##`` sections (a tuple: :meth:`h2` hands out copies)."""
        return tuple(s for s in self.sections if s.level == 2)

    def h2(self) -> list[Section]:
        """The ``##`` sections, in order."""
        return list(self._h2)

    @cached_property
    def sections_by_key(self) -> dict[str, list[Section]]:
        """:attr:`Section.key` -> the sections with that key, in document order."""
        out: dict[str, list[Section]] = {}
        for s in self.sections:
            out.setdefault(s.key, []).append(s)
        return out

    def find(self, *names: str, level: int | None = None) -> Section | None:
        """First section whose normalized title equals one of ``names`` (normalized too)."""
        same = [s for key in {normalize_heading(n) for n in names} for s in self.sections_by_key.get(key, ())
                if level is None or s.level == level]
        return min(same, key=lambda s: s.line, default=None)

    @cached_property
    def _section_starts(self) -> list[int]:
        """The heading line of each section (ascending: sections are in document order)."""
        return [s.line for s in self.sections]

    def sections_after(self, line: int) -> list[Section]:
        """The sections whose heading comes after file line ``line``, in document order."""
        return self.sections[bisect_right(self._section_starts, line):]

    @cached_property
    def _enclosing(self) -> list[int]:
        """Per section: the index of the closest earlier section that ends later (-1 if
        none); for nested sections, the parent."""
        out: list[int] = []
        open_: list[int] = []  # indexes of earlier sections, by decreasing end line
        for i, s in enumerate(self.sections):
            while open_ and self.sections[open_[-1]].end_line <= s.end_line:
                open_.pop()
            out.append(open_[-1] if open_ else -1)
            open_.append(i)
        return out

    def section_at(self, line: int) -> Section | None:
        """The innermost section containing file line ``line``."""
        # the last section starting at or before `line`, else the closest earlier one that
        # ends later (the sections skipped over end before `line`, too)
        i = bisect_right(self._section_starts, line) - 1
        while i >= 0 and self.sections[i].end_line < line:
            i = self._enclosing[i]
        return self.sections[i] if i >= 0 else None

    def line_of(self, needle: str, start: int = 1) -> int | None:
        """First file line (>= ``start``) containing ``needle``, case-sensitive."""
        lines = self.lines
        if "\n" in needle or start - 1 >= len(lines):
            return None
        at = self.text.find(needle, lines.starts[max(start - 1, 0)])
        return None if at < 0 else lines.line_at(at) + 1

    @property
    def is_meta(self) -> bool:
        """Meta-VEP (under ``veps/meta-VEPs/``)."""
        return self.info.is_meta

    @property
    def is_process(self) -> bool:
        """A process VEP: a meta-VEP, or a VEP that says it is one
        (:attr:`process_statement`).

        docs/vep-governance.md exempts meta-VEPs from ``feature-gate`` and ``stage`` "since
        they describe process changes rather than features"; a process VEP filed under its
        SIG's directory (VEP 233, sig-release) is exempt for the same reason from the
        feature-gate, graduation-stage and stage rules. Directory rules still use
        :attr:`is_meta`."""
        return self.is_meta or self.process_statement is not None

    @cached_property
    def process_statement(self) -> tuple[int, str] | None:
        """Where the VEP says that it is a process VEP ("This is a process VEP", "this VEP is
        a process/policy change"): ``(file line, the words)``, in prose (not in an HTML
        comment or fenced code); ``None`` when it does not."""
        if len(self.text) - self.body_start > PARSE_PIECE:
            return self._process_statement_by_chunks()
        text = blank_comments(self.body)
        found = []
        for word in ("process", "Process", "PROCESS"):  # in every statement: find, then match nearby
            at = text.find(word)
            while at >= 0:
                m = _PROCESS_VEP_RE.search(text, max(0, at - 80), at + 80)
                if m:
                    found.append((self.body_line + text.count("\n", 0, m.start()), " ".join(m.group(0).split())))
                at = text.find(word, at + 1)
        if found:
            prose = {line for line, _ in prose_lines(text, self.body_line)}
            return min((f for f in found if f[0] in prose), default=None)
        return None


    def _process_statement_by_chunks(self) -> tuple[int, str] | None:
        """:attr:`process_statement` of a large body, read a chunk of lines at a time
        (:func:`blanked_chunks`) with the 200 characters before each: every statement
        pattern is searched within 80 characters of its word, as on the whole text, and each
        word is looked at once (those in the last 100 characters of a chunk with the next)."""
        found: list[tuple[int, str]] = []
        marks: list[tuple[int, bool]] = []  # (file line, is a fence) of the fence and heading lines
        tail, newlines = "", 0  # the text before the chunk (its last 200 characters), its line breaks
        chunks = blanked_chunks(self.text, self.body_start)
        chunk = next(chunks)
        while chunk is not None:
            following = next(chunks, None)
            # the words at chunk positions [lo, hi) are looked at here (the 101 characters
            # before the chunk were left by the one before: their statements may reach here);
            # those within 81 characters of its start with the tail before, the others in the
            # chunk alone (no copy of a long chunk)
            lo, hi = max(len(tail) - 101, 0) - len(tail), len(chunk) - 100 if following is not None else len(chunk)
            if min(hi, 81) > lo:
                found += self._statements(tail + chunk[:min(hi, 81) + 80], len(tail), lo, min(hi, 81),
                                          newlines - tail.count("\n"))
            if hi > 81:
                found += self._statements(chunk, 0, max(lo, 81), hi, newlines)
            first = _NOT_PROSE_FIRST_LINE_RE.match(chunk)
            if first:
                marks.append((self.body_line + newlines, bool(first.group("fence"))))
            pos, line = 0, self.body_line + newlines
            for m in _NOT_PROSE_LINE_RE.finditer(chunk):
                line += chunk.count("\n", pos, m.start()) + 1
                pos = m.start() + 1
                marks.append((line, bool(m.group("fence"))))
            newlines += chunk.count("\n") + 1
            tail = (tail + chunk[-200:] + "\n")[-200:]  # (not a copy of the whole chunk)
            chunk = following
        if not found:
            return None
        mark_lines = {line for line, _ in marks}
        fences = [line for line, fence in marks if fence]

        def prose(line: int) -> bool:  # as prose_lines: not a fence or heading line, not inside a fence
            return line not in mark_lines and bisect_right(fences, line) % 2 == 0

        return min((f for f in found if prose(f[0])), default=None)


    def _statements(self, text: str, offset: int, lo: int, hi: int, newlines: int) -> list[tuple[int, str]]:
        """Process statements whose word starts at ``offset + lo`` to ``offset + hi`` of
        ``text`` (which holds the 81 characters before each and 80 after, or the body's
        start or end), ``newlines`` line breaks of the body before ``text``."""
        out = []
        lo, hi = lo + offset, hi + offset
        for word in ("process", "Process", "PROCESS"):
            at = text.find(word, lo, hi + len(word) - 1)
            while 0 <= at < hi:
                m = _PROCESS_VEP_RE.search(text, max(0, at - 80), at + 80)
                if m:
                    out.append((self.body_line + newlines + text.count("\n", 0, m.start()), " ".join(m.group(0).split())))
                at = text.find(word, at + 1, hi + len(word) - 1)
        return out


class UnreadableDocument(Exception):
    """Raised by :func:`read` when a path cannot be read (missing, a directory, no
    permission). The message is one line, for the user."""


def read(path: str, display: str | None = None, repo_path: str | None = None) -> VepDocument:
    """Read and :func:`parse` a file.

    Args:
        path: filesystem path.
        display: path to show in findings (default ``path``).
        repo_path: the document's path relative to the enhancements repository root;
            default: found by walking up from ``path`` to the directory holding ``veps/``.

    Raises:
        UnreadableDocument: the file cannot be opened or read.
    """

    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise UnreadableDocument(f"{path}: is a directory") from None
    except FileNotFoundError:
        raise UnreadableDocument(f"{path}: no such file") from None
    except OSError as exc:
        raise UnreadableDocument(f"{path}: cannot read ({exc.strerror or exc})") from None
    if repo_path is None:
        repo_path = repo_relative(p)
    text, notes = decode(data)
    del data  # the bytes are not needed once decoded (a large VEP would hold both)
    return _parse_text(text, notes, display or path, repo_path)


@lru_cache(maxsize=1024)
def _real_dir(directory: str) -> str:
    """``os.path.realpath(directory)`` (absolute), built on its parent's, cached: the
    directories of the VEPs of one repository share all but their last component, which
    is then the only one looked at (realpath would walk the whole path again for each)."""
    parent, name = os.path.split(directory)
    if not name or name in (".", "..") or parent == directory or os.path.islink(directory):
        return os.path.realpath(directory)
    return os.path.join(_real_dir(parent), name)


def _resolve(path) -> Path:
    """``Path(path).resolve()``, with the directories' resolution cached (a directory of
    VEPs resolves the same path prefix once, not once per file)."""
    path = os.fspath(path)
    absolute = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)  # no ".." folded yet
    directory, name = os.path.split(absolute)
    if name in ("", ".", "..") or os.path.islink(absolute):
        return Path(os.path.realpath(absolute))
    return Path(_real_dir(directory), name)


def find_repo_root(path) -> "Path | None":
    """The nearest ancestor of ``path`` that has a ``veps/`` directory and contains
    ``path`` under it; ``None`` when there is none."""

    return _root_of(_resolve(path))


def _root_of(p: Path) -> "Path | None":
    """:func:`find_repo_root` of an already resolved path."""
    root = _root_above(str(p.parent))
    if root is not None:
        return Path(root)
    if p.is_dir() and (p / "veps").is_dir():
        return p
    return None


@lru_cache(maxsize=1024)
def _root_above(directory: str) -> str | None:
    """The parent of the nearest ``veps`` directory among ``directory`` (resolved) and its
    ancestors; cached, as the files of a directory share it."""
    for d in (Path(directory), *Path(directory).parents):
        if d.name == "veps" and d.is_dir():
            return str(d.parent)
    return None


def repo_relative(path) -> str:
    """``path`` relative to :func:`find_repo_root` (POSIX), or its file name when it is not
    inside a ``veps/`` tree."""

    p = _resolve(path)
    root = _root_of(p)
    if root is None:
        return p.name
    return p.relative_to(root).as_posix()


#: Byte-order marks of the wide Unicode encodings an editor may save a VEP in (decoded, and
#: named by VEP001: GitHub and the governance CI read only UTF-8).
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
              (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> tuple[str, set[str]]:
    """Bytes -> (text with LF line ends and no BOM, notes). Never raises."""
    notes: set[str] = set()
    for bom, codec in _WIDE_BOMS:  # UTF-32 first: its little-endian BOM starts with UTF-16's
        if data.startswith(bom):
            try:
                data = data[len(bom):].decode(codec).encode("utf-8")
            except UnicodeDecodeError:
                notes.add("binary")
                return "", notes
            notes.add(codec.replace("-le", "").replace("-be", ""))  # "utf-16" / "utf-32": VEP001 names it
            break
    if b"\x00" in data[:8192]:
        notes.add("binary")
        return "", notes
    if data.startswith(b"\xef\xbb\xbf"):
        notes.add("bom")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        notes.add("invalid-utf8")
        text = data.decode("utf-8", errors="replace")
    if "\r" in text:
        notes.add("crlf")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, notes


def parse(data: bytes | str, path: str = "<stdin>", repo_path: str | None = None) -> VepDocument:
    """Parse a VEP document. Never raises on bad content: problems are recorded in
    :attr:`VepDocument.notes` and :attr:`FrontMatter.error` for the rules to report.

    Args:
        data: file content.
        path: display path.
        repo_path: path relative to the enhancements repository root (see :class:`PathInfo`).
    """
    if isinstance(data, bytes):
        text, notes = decode(data)
    else:
        text, notes = data.replace("\r\n", "\n"), set()
    return _parse_text(text, notes, path, repo_path)


def _parse_text(text: str, notes: set[str], path: str, repo_path: str | None) -> VepDocument:
    """:func:`parse` of decoded text. What is kept is the text and the offsets of its lines
    (:class:`Lines`); each section's body is cut from it when first asked for."""
    info = PathInfo.from_repo_path(repo_path if repo_path is not None else PurePosixPath(path).name)
    lines = Lines(text)
    fm, body_line = _split_front_matter(lines)
    # the markdown parser reads the body (with front matter, a copy, freed after parsing,
    # with the UTF-8 copy of it that the parser makes)
    body = lines.joined(body_line - 1, len(lines)) if body_line > 1 else text
    sections = _sections(body, lines, body_line)
    del body
    doc = VepDocument(path, info, text, fm, sections, body_line, notes)
    doc.__dict__["lines"] = lines  # the cached property, already computed here
    return doc


def _split_front_matter(lines: "Lines | list[str]") -> tuple[FrontMatter | None, int]:
    """Find the front matter the way python-frontmatter's YAML handler does (a first line
    of three or more dashes, closed by the next such line) and load it."""
    if not lines or not lines[0].startswith("---"):
        return None, 1  # no block: PyYAML and python-frontmatter are not even imported
    from frontmatter.default_handlers import YAMLHandler

    from agent import yamlsafe

    boundary = YAMLHandler.FM_BOUNDARY
    if not boundary.fullmatch(lines[0]):
        return None, 1
    for i, line in enumerate(islice(lines, 1, None), 1):
        if boundary.fullmatch(line):
            raw = "\n".join(lines[1:i])
            fm = FrontMatter(start_line=1, end_line=i + 1, raw=raw)
            try:
                loaded = yamlsafe.load(raw)
            except yamlsafe.YamlError as exc:
                # a new error holding only the message and the file line: the one raised
                # refers to its traceback, whose frames hold this document's text and
                # `fm` (a cycle that `check`, which runs without the cycle collector, would
                # keep alive for the whole run)
                fm.error = yamlsafe.YamlError(exc.reason, exc.line + 1 if exc.line is not None else None)
                del exc
            else:
                fm.data = loaded.data
                fm.key_lines = {k: v + 1 for k, v in loaded.key_lines.items()}
                fm.duplicates = [(k, v + 1) for k, v in loaded.duplicates]
                fm.implicit_types = [it._replace(line=it.line + 1) for it in loaded.implicit_types]
            return fm, i + 2
    fm = FrontMatter(start_line=1, end_line=None, raw="\n".join(islice(lines, 1, None)))
    fm.error = yamlsafe.YamlError("front matter is not terminated: no closing '---' line", 1)
    return fm, 2


#: Bodies of at most this many characters are encoded whole by :func:`headings`.
SMALL_BODY = 1 << 20
#: Bodies of more than this many characters are given to the markdown parser in pieces of
#: about this size (see :func:`headings`).
PARSE_PIECE = 1 << 20
#: Where a body may be cut for :func:`headings`: the start of a line, at the margin, after a
#: blank line or opening a heading or a list item (whether it is a block of its own is
#: then asked of the parser).
_CUT_RE = re.compile(r"(?:\n\n|\n(?=#|[-*+][ \t]|\d{1,9}[.)][ \t]))(?=\S)")


def headings(body: str) -> list[tuple[int, str, int]]:
    """The document-level headings of ``body``, CommonMark (pulldown-cmark via pyromark).

    ATX (``## Title``) and setext (``Title`` over ``===``) headings count; a ``#`` line in a
    fenced or indented code block or an HTML block does not, nor does a heading nested in a
    list item or block quote (VEP sections are never there).

    Returns:
        ``(level, title, line)`` in document order: level 1-6, the heading's source text
        (markup kept, as written; lines of a setext heading joined with ``"\\n"``) and the
        0-based line of ``body`` it starts on.

    A body of more than :data:`PARSE_PIECE` characters is parsed in pieces, each cut before
    a line at the margin where the parse of the piece (up to and with that line) starts a
    top-level block or an item of a top-level list: there every block before is closed
    (but that list), so the rest parses as a document of its own, with the same
    document-level headings (later lines never change which lines before are headings).
    The parser's memory (its block tree and a UTF-8 copy of its input, 4x the text of a
    large VEP) is then that of one piece. A candidate inside a paragraph, fence or HTML
    block does not start a block; the piece is then grown (doubled) and, failing that,
    the rest parsed whole.
    """
    if len(body) <= PARSE_PIECE:
        return _headings(body)
    out: list[tuple[int, str, int]] = []
    pos, line = 0, 0  # the piece starts at character `pos`, body line `line`
    size = max(PARSE_PIECE, 1)
    while len(body) - pos > size:
        m = _CUT_RE.search(body, pos + size)
        if m is None:
            break
        cut = m.end()  # where the candidate line starts
        eol = body.find("\n", cut)
        piece = body[pos:len(body) if eol < 0 else eol]
        head = piece[:cut - pos]
        probe = len(head) if head.isascii() else len(head.encode("utf-8", "surrogatepass"))
        cut_line = head.count("\n")
        del head
        found, clean = _headings(piece, probe)
        del piece
        if not clean:  # inside a paragraph, fence, HTML block or list item: a larger piece
            size *= 2
            continue
        out.extend((level, title, line + n) for level, title, n in found if n < cut_line)
        pos, line, size = cut, line + cut_line, max(PARSE_PIECE, 1)
    found = _headings(body[pos:] if pos else body)
    out.extend((level, title, line + n) for level, title, n in found)
    return out


def _headings(body: str, probe: int | None = None) -> "list[tuple[int, str, int]] | tuple[list, bool]":
    """:func:`headings` of ``body`` parsed whole. With ``probe`` (a UTF-8 byte offset where a
    line starts): ``(headings, whether a block starts there with nothing open around it but
    a top-level list)``."""
    import pyromark

    # pyromark's ranges are UTF-8 byte offsets: a small body is encoded whole (fastest); in
    # a large one they are turned into character offsets by a cursor that moves forward
    # only (headings come in order), not by a copy of the body as large as the text
    data = body.encode("utf-8") if len(body) <= SMALL_BODY else None
    to_char = _ByteCursor(body)
    out: list[tuple[int, str, int]] = []
    depth = 0  # open list items and block quotes
    line, counted = 0, 0  # 0-based line of character offset `counted`
    head: list | None = None  # [level, first inline byte, last inline byte, start byte]
    clean = False
    for event, span in pyromark.events_with_range(body):
        if head is not None:  # inside a document-level heading: extend its text or close it
            end = event.get("End") if event.__class__ is dict else None
            if end.__class__ is dict and "Heading" in end:
                level, first, last, start = head
                # the source from the heading's start (a leading backslash escape is kept),
                # without the ATX opener; the closing #s are not part of the last inline event
                if data is not None:
                    line += data.count(b"\n", counted, start)
                    counted = start
                    title = data[start:last].decode("utf-8", "replace").strip() if first is not None else ""
                else:
                    start = to_char(start)
                    line += body.count("\n", counted, start)
                    counted = start
                    title = body[start:to_char(last)].strip() if first is not None else ""
                out.append((level, _ATX_OPENER_RE.sub("", title, count=1).strip(), line))
                head = None
            else:
                head[1] = span["start"] if head[1] is None else head[1]
                head[2] = max(head[2] or 0, span["end"])
        elif event.__class__ is dict:  # most events are text in paragraphs: test cheaply
            start = event.get("Start")
            if start is not None:
                if probe is not None and span["start"] == probe and (depth == 0 or depth == 1 and start == "Item"):
                    clean = True  # a top-level block, or an item of a top-level list, starts at `probe`
                if start == "Item":
                    depth += 1
                elif start.__class__ is dict:
                    if "Heading" in start:
                        if depth == 0:
                            head = [int(start["Heading"]["level"][1:]), None, None, span["start"]]
                    elif "BlockQuote" in start or "List" in start:
                        depth += 1
                continue
            end = event.get("End")
            if end is not None and (end == "Item" or (end.__class__ is dict and ("BlockQuote" in end or "List" in end))):
                depth -= 1
    return out if probe is None else (out, clean)


class _ByteCursor:
    """Character offset of a UTF-8 byte offset of ``text``, for offsets asked in
    increasing order: each call encodes only the text between the previous offset and this
    one (at most 64k characters at a time), and ASCII stretches not at all."""

    __slots__ = ("text", "char", "byte")

    def __init__(self, text: str):
        self.text, self.char, self.byte = text, 0, 0

    def __call__(self, byte: int) -> int:
        text = self.text
        if text.isascii():  # (a flag of the string: no scan)
            return byte
        while self.byte < byte:  # at most `byte - self.byte` characters hold that many bytes
            piece = text[self.char:self.char + min(byte - self.byte, _CHUNK)]
            if not piece:
                break
            if piece.isascii():
                self.char += len(piece)
                self.byte += len(piece)
                continue
            data = piece.encode("utf-8", "surrogatepass")
            if self.byte + len(data) <= byte:
                self.char += len(piece)
                self.byte += len(data)
            else:  # the offset falls inside: decode the bytes up to it (a character boundary)
                self.char += len(data[:byte - self.byte].decode("utf-8", "ignore"))
                self.byte = byte
        return self.char


def _sections(body: str, lines: Lines, offset: int) -> list[Section]:
    """The sections of ``body`` (the file's ``lines`` from file line ``offset``)."""
    total_lines = len(lines)
    heads = [(level, title, offset + line) for level, title, line in headings(body)]  # file lines
    # end line of each heading's section: the line before the next heading of the same or
    # a higher level (one pass with a stack of open sections)
    ends = [total_lines] * len(heads)
    open_: list[int] = []
    for idx, (level, _, line) in enumerate(heads):
        while open_ and heads[open_[-1]][0] >= level:
            ends[open_.pop()] = line - 1
        open_.append(idx)
    sections: list[Section] = []
    for idx, (level, title, line) in enumerate(heads):
        end = ends[idx]
        sections.append(Section(level, title, line, end, lines))
    return sections
