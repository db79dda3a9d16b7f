"""Result records shared by every case set, the report and the tests.

Statuses of a case:

- ``pass`` / ``fail``: the case ran and met (or missed) its expectation;
- ``skipped``: the case does not apply (a mutator that does not fit the VEP, a missing
  input); ``detail`` says why;
- ``not-recorded``: an LLM case without a cassette for the current model and prompts (left
  out of LLM metrics); ``stale`` when a cassette exists only for older prompts;
- ``error``: the harness or the reviewer raised; ``detail`` has the one-line reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from agent.findings import Finding

PASS, FAIL, SKIPPED, NOT_RECORDED, STALE, ERROR = "pass", "fail", "skipped", "not-recorded", "stale", "error"


def compact(f: Finding) -> dict:
    """A finding as a small dict for reports: rule, severity, line, message (plus category,
    section and quote for LLM findings)."""
    out = {"rule": f.rule, "severity": f.severity.value, "line": f.line, "message": f.message}
    if f.origin == "llm":
        out.update(category=f.category, section=f.section, quote=f.quote)
    return out


@dataclass
class CaseResult:
    """The outcome of one case.

    Attributes:
        id: stable case ID, ``<set>/<stem>/<vep>`` (``--case`` selects by it).
        set: the case set (``mutations``, ``clean``, ``regression``, ``concerns``, ``gaps``).
        status: one of the statuses above.
        target: the VEP the case is about (repository path or history file).
        detail: one line: what was planted, what fired, why skipped.
        expected: what the case expects (rule, severity, category…).
        findings: the relevant findings (:func:`compact`).
        extra: set-specific data (new errors per rule, matched concerns, usage…).
    """

    id: str
    set: str
    status: str
    target: str = ""
    detail: str = ""
    expected: dict = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class SetResult:
    """The outcome of one case set.

    Attributes:
        name: the set's name.
        cases: every case, in run order.
        metrics: set-specific figures (per rule, per category…), JSON-serializable.
        notes: lines the report prints under the set (caveats, staleness, diffs).
        failed: whether the set makes ``vep-review eval`` exit non-zero.
        seconds: wall time of the set.
        usage: summed LLM usage of replayed cassettes (tokens, estimated_cost_usd).
    """

    name: str
    cases: list[CaseResult] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failed: bool = False
    seconds: float = 0.0
    usage: dict = field(default_factory=dict)

    def count(self, status: str) -> int:
        """Number of cases with ``status``."""
        return sum(1 for c in self.cases if c.status == status)

    def counts(self) -> dict[str, int]:
        """``{"total", "pass", "fail", "skipped", "not-recorded", "stale", "error"}``."""
        out = {"total": len(self.cases)}
        for s in (PASS, FAIL, SKIPPED, NOT_RECORDED, STALE, ERROR):
            out[s] = self.count(s)
        return out

    def to_json(self) -> dict:
        return {"name": self.name, "counts": self.counts(), "failed": self.failed, "seconds": round(self.seconds, 3),
                "metrics": self.metrics, "notes": self.notes, "usage": self.usage,
                "cases": [c.to_json() for c in self.cases]}


def ratio(num: int, den: int) -> float | None:
    """``num / den`` rounded to 4 places, ``None`` when ``den`` is 0."""
    return round(num / den, 4) if den else None
