"""The cross-SIG pre-pass: which SIGs' areas does a VEP's text touch?

Deterministic and cheap. It matches ``agent/data/sig-areas.yaml`` (generated from the shared
SIG taxonomy by :mod:`agent.llm.build_sig_areas`) against the sanitised VEP text, line by line:

- code paths (``pkg/network``): the longest matching path wins, so
  ``pkg/virt-controller/watch/vm`` counts for sig-compute, not for sig-control-plane's
  ``pkg/virt-controller/watch``;
- API types (``DataVolumeSource``) as whole words, case-sensitive; types that are plain words
  (``Disk``) only when written as code, in backticks;
- API fields by their last two segments (``devices.interfaces``);
- domain terms (``SR-IOV``, ``live migration``), whole words with an optional plural; case-
  sensitive when the term has a capital after its first letter (``CNI``, ``vCPU``), otherwise
  not; a space or hyphen in a term matches either;
- cross-SIG topics (hotplug, snapshots…), which count for every SIG involved;
- KubeVirt sister projects and providers (CDI, SSP, HCO, CNAO, Multus…) by name, which count for
  the SIG each sits with.

Terms that most VEPs of every SIG use (virt-launcher, virt-handler, libvirt, live migration) are
not in the data: the build script measures them on the corpus and lists them under ``common``.

Each SIG gets a score (3 per code path, API type or field; 2 per sister project; 1 per distinct
term or topic) and the hits with their lines. A SIG that is neither the owning SIG nor listed in
``participating-sigs`` and scores at least :data:`CANDIDATE_SCORE` is a *candidate*: the
cross-SIG reviewer is given the candidates and their hits and judges whether the VEP should
involve that SIG (a candidate alone is evidence, not a finding). The reviewer runs only when there
is a candidate or ``participating-sigs`` is non-empty (:attr:`CrossSigReport.worth_reviewing`).

Source: docs/vep-governance.md (``owning-sig``; ``participating-sigs``: "other SIGs that must
LGTM before merge").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from agent.llm.sanitize import sanitize

AREAS_FILE = Path(__file__).resolve().parent.parent / "data" / "sig-areas.yaml"

#: Score from which a SIG that is not involved yet is reported as a candidate.
CANDIDATE_SCORE = 4
_WEIGHTS = {"path": 3, "type": 3, "field": 3, "project": 2, "term": 1, "topic": 1}
_MAX_LINES_PER_ITEM = 3



@dataclass
class SigEvidence:
    """What points at one SIG.

    Attributes:
        sig: ``sig-storage``.
        items: (kind, item) -> lines where it matched (at most 3 kept, first first).
        snippets: (kind, item) -> the text of its first line.
        mentions: total number of matches.
    """

    sig: str
    items: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    snippets: dict[tuple[str, str], str] = field(default_factory=dict)
    mentions: int = 0

    @property
    def score(self) -> int:
        """3 per distinct path, type or field; 2 per sister project named; 1 per distinct
        term or topic."""
        return sum(_WEIGHTS[kind] for kind, _ in self.items)


@dataclass
class CrossSigReport:
    """The pre-pass result for one VEP.

    Attributes:
        owning: the owning SIG (front matter ``owning-sig``, else the ``veps/<sig>/`` directory).
        participating: ``participating-sigs`` from the front matter.
        declared: whether the VEP has a front matter ``participating-sigs`` at all.
        evidence: SIG -> :class:`SigEvidence`, every SIG with at least one hit.
        candidates: SIGs neither owning nor participating whose score reaches
            :data:`CANDIDATE_SCORE`, best first.
    """

    owning: str | None
    participating: list[str]
    declared: bool
    evidence: dict[str, SigEvidence]
    candidates: list[str]

    @property
    def worth_reviewing(self) -> tuple[bool, str]:
        """Should the cross-SIG reviewer run? Yes when a SIG is a candidate (its score reaches
        :data:`CANDIDATE_SCORE` without the terms common to every SIG's VEPs, which the data
        file leaves out) or the front matter lists ``participating-sigs``; else (False, why)."""
        if self.candidates:
            return True, ""
        if self.participating:
            return True, ""
        return False, (f"no other SIG's area scores {CANDIDATE_SCORE} or more in the text and participating-sigs "
                       "is empty")

    def projects(self) -> dict[str, tuple[str, list[int]]]:
        """Sister projects named in the text: name -> (the SIG it sits with, lines)."""
        return {item: (ev.sig, lines) for ev in self.evidence.values()
                for (kind, item), lines in ev.items.items() if kind == "project"}

    def ranked(self) -> list[SigEvidence]:
        """Evidence of every SIG but the owning one, highest score first."""
        others = [e for s, e in self.evidence.items() if s != self.owning]
        return sorted(others, key=lambda e: (-e.score, e.sig))


@dataclass(frozen=True)
class _Matcher:
    sig: str
    kind: str
    item: str
    regex: re.Pattern
    needles: tuple[str, ...] = ()  # lowercase literals, one of which must be in the text for a match


def _needle(text: str) -> str:
    """The longest run of letters and digits in ``text``, lowercased (a cheap pre-filter)."""
    return max(re.findall(r"[A-Za-z0-9_]+", text) or [""], key=len).lower()


@lru_cache(maxsize=2)
def load_areas(path: str = str(AREAS_FILE)) -> tuple[tuple[_Matcher, ...], tuple[str, ...]]:
    """Compile the matchers of ``sig-areas.yaml``; returns (matchers, SIG names)."""
    import yaml

    return compile_areas(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})


def compile_areas(data: dict) -> tuple[tuple[_Matcher, ...], tuple[str, ...]]:
    """Compile the matchers of a ``sig-areas`` mapping (what :func:`load_areas` reads, or what
    :func:`agent.llm.build_sig_areas.derive` makes); returns (matchers, SIG names). A sister
    project's names count for the SIG it sits with, as kind ``project``."""
    matchers: list[_Matcher] = []
    sigs = tuple(data.get("sigs") or {})
    for sig, area in (data.get("sigs") or {}).items():
        area = area or {}
        for p in area.get("paths") or []:
            matchers.append(_Matcher(sig, "path", p, re.compile(_literal_first(re.escape(p), r"[\w/.-]") + r"(?![\w-])"),
                                     (_needle(p),)))
        for t in area.get("types") or []:
            matchers.append(_Matcher(sig, "type", t, re.compile(_literal_first(re.escape(t)) + r"(?![\w])"), (t.lower(),)))
        for t in area.get("quoted_types") or []:
            matchers.append(_Matcher(sig, "type", t, re.compile(r"`" + re.escape(t) + r"`"), (t.lower(),)))
        for f in area.get("fields") or []:
            matchers.append(_Matcher(sig, "field", f, re.compile(_literal_first(re.escape(f)) + r"(?![\w])"), (f.lower(),)))
        for t in area.get("terms") or []:
            matchers.append(_Matcher(sig, "term", t, _term_regex(t), (_needle(t),)))
        for p in area.get("patterns") or []:
            matchers.append(_Matcher(sig, "term", p, re.compile(_literal_first(p)), (_needle(p),)))
    for topic, spec in (data.get("topics") or {}).items():
        spec = spec or {}
        for term in spec.get("terms") or []:
            rx = _term_regex(term, insensitive=True)
            for sig in spec.get("sigs") or []:
                matchers.append(_Matcher(sig, "topic", topic.replace("_", " "), rx, (_needle(term),)))
    for name, spec in (data.get("projects") or {}).items():
        spec = spec or {}
        if not spec.get("sig"):
            continue
        for term in spec.get("terms") or [name]:
            matchers.append(_Matcher(spec["sig"], "project", name, _term_regex(term), (_needle(term),)))
    # longest paths first, so that a more specific path claims the text before its parent
    matchers.sort(key=lambda m: (m.kind != "path", -len(m.item)))
    return tuple(matchers), sigs


@lru_cache(maxsize=2)
def load_projects(path: str = str(AREAS_FILE)) -> dict[str, dict]:
    """The sister projects of ``sig-areas.yaml``: name -> ``{sig, repo, owns, terms}``."""
    import yaml

    return dict((yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("projects") or {})


def _literal_first(body: str, before: str = r"\w") -> str:
    """``body`` preceded by no ``before`` character, written with the literal first and the
    look-behind after it (``abc(?<!\\wabc)…``): Python's regex engine then scans for the
    literal prefix, about ten times faster than with a leading look-behind."""
    m = re.match(r"((?:\\[^A-Za-z0-9]|[A-Za-z0-9_])+)", body)
    if not m:
        return rf"(?<!{before}){body}"
    first = m.group(1)
    return f"{first}(?<!{before}{first}){body[len(first):]}"


@lru_cache(maxsize=4096)
def _term_regex(term: str, insensitive: bool = False) -> re.Pattern:
    """A term's pattern. A case-insensitive term is compiled in lower case *without* ``re.I``
    and marked (``_LOWER``) to run on the lower-cased text: Python's engine only uses its fast
    literal search for case-sensitive patterns (about ten times faster here)."""
    sensitive = not insensitive and any(c.isupper() for c in term[1:])
    body = re.escape(term if sensitive else term.lower())
    body = re.sub(r"(\\ |\\-)+", r"[\\s-]+", body)
    rx = re.compile(_literal_first(body) + r"(?:s|es)?(?![\w])")
    if not sensitive:
        _LOWER.add(rx.pattern)
    return rx


#: Patterns (by source) to run on the lower-cased text.
_LOWER: set[str] = set()


def _str_list(value) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
    return []


def scan(doc, areas: tuple | None = None) -> CrossSigReport:
    """Run the pre-pass on ``doc`` (:class:`agent.document.VepDocument`); ``areas``: compiled
    matchers (:func:`compile_areas`), default those of ``sig-areas.yaml``. Never raises on odd
    front matter values."""
    matchers, _ = areas if areas is not None else load_areas()
    owning = None
    participating: list[str] = []
    declared = False
    fm = doc.front_matter
    if fm is not None and fm.error is None:
        owning_value = fm.get("owning-sig")
        if isinstance(owning_value, str) and owning_value.strip():
            owning = owning_value.strip()
        if "participating-sigs" in fm.data:
            declared = True
            participating = _str_list(fm.get("participating-sigs"))
    if owning is None and doc.info.sig_dir and doc.info.sig_dir.startswith("sig-"):
        owning = doc.info.sig_dir
    evidence: dict[str, SigEvidence] = {}
    text = sanitize(doc.text)
    lowered = text.lower()
    same_length = len(lowered) == len(text)  # else offsets would shift: fall back to re.I
    present = [m for m in matchers if any(n in lowered for n in m.needles)]
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    claimed: list[tuple[int, int]] = []
    found_by: dict[int, list[tuple[int, int]]] = {}  # one search per distinct regex (topics share them)
    seen: set[tuple[str, str, str, int]] = set()
    for m in present:  # paths first, longest first (see load_areas)
        spans = found_by.get(id(m.regex))
        if spans is None:
            if m.regex.pattern in _LOWER:
                hay = lowered if same_length else text
                rx = m.regex if same_length else re.compile(m.regex.pattern, re.I)
            else:
                hay, rx = text, m.regex
            spans = found_by[id(m.regex)] = [f.span() for f in rx.finditer(hay)]
        for span in spans:
            if m.kind == "path":
                if any(a <= span[0] and span[1] <= b for a, b in claimed):
                    continue
                claimed.append(span)
            number = bisect_right(starts, span[0])
            key = (m.kind, m.item)
            if (m.sig, *key, number) in seen:
                continue  # one mention per item per line is enough
            seen.add((m.sig, *key, number))
            ev = evidence.setdefault(m.sig, SigEvidence(m.sig))
            ev.mentions += 1
            where = ev.items.setdefault(key, [])
            if len(where) < _MAX_LINES_PER_ITEM:
                where.append(number)
            ev.snippets.setdefault(key, " ".join(lines[number - 1].split())[:160])
    involved = {owning, *participating}
    candidates = [e.sig for e in sorted(evidence.values(), key=lambda e: (-e.score, e.sig))
                  if e.sig not in involved and e.score >= CANDIDATE_SCORE]
    return CrossSigReport(owning, participating, declared, evidence, candidates)


def render(report: CrossSigReport, max_sigs: int = 6, max_items: int = 8) -> str:
    """The pre-pass as text for the cross-SIG reviewer's prompt."""
    out = [f"Owning SIG: {report.owning or 'unknown'}"]
    if report.declared:
        out.append("participating-sigs (front matter): " + (", ".join(report.participating) or "[] (none)"))
    else:
        out.append("participating-sigs: not declared (the VEP has no front matter field participating-sigs)")
    out.append("Candidate SIGs (touched by the text, not involved yet): " + (", ".join(report.candidates) or "none"))
    named = report.projects()
    projects = load_projects()
    if projects:
        out.append("KubeVirt sister projects (the SIG each sits with; what it owns; where this VEP names it):")
        for name, spec in projects.items():
            where = f"; named at line {', '.join(map(str, named[name][1]))}" if name in named else ""
            out.append(f"  - {name} ({spec.get('sig') or 'no SIG'}, {spec.get('repo', '')}): {spec.get('owns', '')}{where}")
    ranked = [e for e in report.ranked() if e.items][:max_sigs]
    if not ranked:
        out.append("No term of another SIG's area was found.")
    for ev in ranked:
        status = "participating" if ev.sig in report.participating else ("candidate" if ev.sig in report.candidates else "weak signal")
        out.append(f"\n{ev.sig} ({status}; score {ev.score}, {ev.mentions} mentions):")
        items = sorted(ev.items.items(), key=lambda kv: (-_WEIGHTS[kv[0][0]], kv[1][0]))[:max_items]
        for (kind, item), lines in items:
            where = ", ".join(str(n) for n in lines)
            out.append(f"  - {kind} {item!r}, line {where}: {ev.snippets[(kind, item)]!r}")
    return "\n".join(out)
