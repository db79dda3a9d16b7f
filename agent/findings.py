"""The one findings model shared by the deterministic rules, the LLM reviewer and every
output format.

A :class:`Finding` says *where* (path, 1-based line, section heading), *why* (rule ID and
name, the source document and section the rule implements) and *how to fix it*. Findings
made by the LLM reviewer carry, in addition, a verbatim ``quote`` of the VEP text they are
about (the line is computed from the quote, never taken from the model), a ``category`` and
a ``confidence``.

This module is plain standard library on purpose (a ``NamedTuple``, not pydantic nor even a
dataclass): it sits on the start-up path of ``vep-review check``, which must not pay for
pydantic or for ``dataclasses`` (see ``docs/benchmarks.md``). The LLM
reviewer validates the model's output with pydantic and converts it to :class:`Finding`.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    """How much a finding matters. ``error`` fails ``vep-review check`` (exit code 1)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for error, 1 for warning, 2 for info: sorts the worst first."""
        return _RANK[self.value]


class Finding(NamedTuple):
    """One problem in one VEP document.

    Attributes:
        rule: stable rule ID, e.g. ``"VEP201"`` (``"LLM-…"`` for LLM reviewer findings).
        name: kebab-case rule name, e.g. ``"front-matter-missing"``.
        severity: error, warning or info (after configuration re-grading).
        path: the file as the user named it (display path).
        line: 1-based line in the file, or ``None`` for a finding about the whole file.
        section: heading text of the section the finding is in or about, if any.
        message: what is wrong, one imperative-free sentence.
        fix: how to fix it, one imperative sentence.
        source: the document and section the rule implements,
            e.g. ``"docs/vep-governance.md#front-matter-schema"``.
        origin: ``"check"`` for deterministic rules, ``"llm"`` for the LLM reviewer.
        category: LLM concern category (``api``, ``upgrade-rollback``, …) or rule family.
        quote: verbatim text of the VEP the finding is about (LLM findings).
        confidence: 0.0–1.0, the LLM's confidence; ``None`` for deterministic rules.
        extra: more facts for front ends and evals (LLM findings: ``reviewer``, ``match``,
            ``end_line``, ``sig``), not part of the JSON contract; ``None`` when there are none.
        introduced: in a pull request review (``vep-review github``), ``True`` when the PR
            caused the finding (it touched the lines, or the finding was not there at the
            base), ``False`` when it was already there; ``None`` outside a PR review (then it
            is left out of the JSON).
    """

    rule: str
    name: str
    severity: Severity
    path: str
    line: int | None
    message: str
    fix: str = ""
    section: str | None = None
    source: str = ""
    origin: str = "check"
    category: str | None = None
    quote: str | None = None
    confidence: float | None = None
    extra: dict | None = None
    introduced: bool | None = None

    def sort_key(self) -> tuple:
        """Order by path, line (file-level first), severity, rule."""
        return (self.path, self.line or 0, self.severity.rank, self.rule, self.message)

    def to_json(self) -> dict:
        """The JSON contract of ``--format json`` (version 1): the keys rule, name, severity,
        path, line, section, message, fix, source, plus origin and, for LLM findings,
        category, quote and confidence; ``introduced`` only in a PR review."""
        data = self._asdict()
        data["severity"] = self.severity.value
        data.pop("extra")
        for key in ("category", "quote", "confidence", "introduced"):
            if data[key] is None:
                data.pop(key)
        return data


class FileReport:
    """What was found in one file.

    Attributes:
        path: display path.
        findings: findings, sorted.
        error: a one-line reason the file could not be read at all (then exit code 2).
        stage: the stage the review held the VEP to (``"alpha"``, ``"beta"``, ``"ga"`` or
            ``None``; :func:`agent.stage.review_stage`); only meaningful when ``stage_evidence``
            is set.
        stage_evidence: one line saying where ``stage`` came from; ``None`` when no stage was
            determined (``vep-review check``), and then no format shows a stage.
        stage_headline: the sentence the text and markdown formats show
            ("Reviewed as a beta proposal for v1.10: …"), ``None`` with ``stage_evidence``.
    """

    __slots__ = ("path", "findings", "error", "stage", "stage_evidence", "stage_headline")

    def __init__(self, path: str, findings: list[Finding] | None = None, error: str | None = None):
        self.path = path
        self.findings: list[Finding] = findings if findings is not None else []
        self.error = error
        self.stage: str | None = None
        self.stage_evidence: str | None = None
        self.stage_headline: str | None = None

    def set_stage(self, stage) -> None:
        """Record an :class:`agent.stage.Stage` (stage, release, evidence)."""
        self.stage, self.stage_evidence, self.stage_headline = stage.stage, stage.evidence, stage.headline()

    def __repr__(self) -> str:
        return f"FileReport({self.path!r}, {len(self.findings)} findings, error={self.error!r})"


_RANK = {"error": 0, "warning": 1, "info": 2}


def plural(n: int, word: str) -> str:
    """``"1 error"``, ``"2 errors"``."""
    return f"{n} {word}{'s' * (n != 1)}"


def counts_text(counts: dict[str, int]) -> str:
    """:func:`summarize`'s counts in words, worst first: ``"1 error, 2 warnings"``, or
    ``"no findings"``."""
    parts = [plural(counts[k], k) for k in ("error", "warning", "info") if counts[k]]
    return ", ".join(parts) if parts else "no findings"


def summarize(findings: list[Finding]) -> dict[str, int]:
    """Count findings by severity: ``{"error": n, "warning": n, "info": n}``."""
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts
