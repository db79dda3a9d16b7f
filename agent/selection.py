"""``--select`` / ``--ignore`` (ruff's convention): which findings a report keeps.

A selector is a rule ID (``VEP401``), a rule name (``required-section``) or an ID prefix
(``VEP4``: the required-sections family; ``LLM``: every LLM reviewer finding), matched
without regard to case. ``--select`` keeps only the findings some selector matches;
``--ignore`` then drops those an ignore selector matches.
"""

from __future__ import annotations


class SelectorError(ValueError):
    """A selector matches no rule (one-line message; exit code 2)."""


def _matches(selector: str, rule_id: str, name: str) -> bool:
    s = selector.upper()
    return rule_id.upper().startswith(s) or name.upper() == s


def parse_selectors(values: list[str] | None) -> tuple[str, ...]:
    """The selectors of repeated, comma-separated options (``--select VEP1,VEP2 --select x``),
    checked against the rules.

    Raises:
        SelectorError: a selector that is neither an ID prefix of a rule, nor a rule name,
            nor the ``LLM`` prefix of LLM reviewer findings.
    """
    from agent.rules import all_rules

    out = [s.strip() for value in values or () for s in value.split(",") if s.strip()]
    rules = all_rules()
    for s in out:
        if s.upper().startswith("LLM") or s.upper() == "VEP000"[: len(s)] or s.lower() == "internal-error":
            continue
        if not any(_matches(s, r.id, r.name) for r in rules):
            raise SelectorError(f"unknown rule selector {s!r}: give a rule ID (VEP401), an ID prefix (VEP4) "
                                "or a rule name (required-section); `vep-review rules` lists them")
    return tuple(out)


def keep(finding, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Whether ``finding`` (an :class:`agent.findings.Finding`) stays in the report."""
    if select and not any(_matches(s, finding.rule, finding.name) for s in select):
        return False
    return not any(_matches(s, finding.rule, finding.name) for s in ignore)


def apply(report, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Drop, in place, the findings of ``report`` (:class:`agent.engine.Report`) that the
    selectors leave out; nothing happens without selectors."""
    if not select and not ignore:
        return
    for fr in report.files:
        fr.findings = [f for f in fr.findings if keep(f, select, ignore)]
