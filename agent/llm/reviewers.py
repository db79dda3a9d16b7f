"""The three LLM reviewers, each a node of the review graph with its own prompt file.

=======  ==========================  ==========================  ==================================
rule     name                        prompt                      runs when
=======  ==========================  ==========================  ==================================
LLM101   design-gap                  prompts/design_gaps.md      always
LLM201   cross-sig-impact            prompts/cross_sig.md        another SIG is a pre-pass candidate, or participating-sigs is set
LLM301   feature-gate-justification  prompts/feature_gate.md     no feature gate is named (not a process VEP)
=======  ==========================  ==========================  ==================================

So a VEP costs at most three calls (fewer when it names its gate or touches no other SIG's
area), made in parallel; a repair attempt adds one call for the reviewer concerned.

:func:`prepare` gathers what every reviewer needs (the sanitised text, the stage, the gate
status, the cross-SIG pre-pass) once per document; :func:`run_reviewer` builds one reviewer's
request and returns its raw findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from agent.llm import gates, taxonomy
from agent.llm.prompts import build_request
from agent.llm.sanitize import sanitize
from agent.stage import Stage, review_stage

if TYPE_CHECKING:  # pragma: no cover
    from agent.context import CheckContext
    from agent.document import VepDocument
    from agent.findings import Finding
    from agent.llm.client import CallRecord, LlmClient

#: Largest VEP sent, in characters; a longer one is cut (and the model told so).
MAX_DOCUMENT_CHARS = 200_000


@dataclass
class Prepared:
    """Per-document inputs of the reviewers (the graph's ``load`` node makes it).

    Attributes:
        doc, ctx: the document and its check context.
        text: the sanitised VEP text sent to the model (possibly cut at
            :data:`MAX_DOCUMENT_CHARS`).
        stage: the stage the VEP is reviewed at (:func:`agent.stage.review_stage`: front
            matter ``stage``, else the lowest targeted stage not shipped by ``ctx.today``).
        gate: :class:`agent.llm.gates.GateStatus`.
        cross_sig: :class:`agent.llm.taxonomy.CrossSigReport`.
        change: :class:`agent.llm.change.Change` against the base version, ``None`` without a
            base or for a VEP new in it (set by the graph's ``load`` node).
    """

    doc: "VepDocument"
    ctx: "CheckContext"
    text: str
    stage: Stage
    gate: gates.GateStatus
    cross_sig: taxonomy.CrossSigReport
    change: object = None


def prepare(doc: "VepDocument", ctx: "CheckContext") -> Prepared:
    """Compute :class:`Prepared` for ``doc``. Never raises on odd content."""
    text = sanitize(doc.text)
    if len(text) > MAX_DOCUMENT_CHARS:
        text = text[:MAX_DOCUMENT_CHARS] + "\n[… the rest of the document was cut by vep-review: too long]"
    return Prepared(doc, ctx, text, review_stage(doc, ctx), gates.gate_status(doc, ctx.template),
                    taxonomy.scan(doc))


@dataclass(frozen=True)
class Reviewer:
    """One reviewer.

    Attributes:
        key: node name and identifier (``design_gaps``).
        rule, name: the rule ID and kebab name of its findings (``LLM101``, ``design-gap``).
        prompt: its task prompt under ``prompts/``.
        source: the documents it judges against (``Finding.source``).
        applies: ``prepared -> (run?, reason when not)``.
        evidence: ``(prepared, deterministic findings, cap) -> text`` given to the model.
    """

    key: str
    rule: str
    name: str
    prompt: str
    source: str
    applies: Callable[[Prepared], tuple[bool, str]]
    evidence: Callable[[Prepared, list, int], str]


def _common_facts(p: Prepared, deterministic: list, cap: int) -> list[str]:
    facts = [_stage_fact(p.stage),
             f"Return at most {cap} findings."]
    if deterministic:
        facts.append("Already reported by the deterministic checks (do not repeat these):")
        for f in deterministic[:40]:
            where = f"line {f.line}" if f.line else "whole file"
            facts.append(f"- {f.rule} {f.name} ({where}{', ' + f.section if f.section else ''}): {f.message}")
        if len(deterministic) > 40:
            facts.append(f"- … and {len(deterministic) - 40} more")
    else:
        facts.append("The deterministic checks reported nothing.")
    return facts


def _stage_fact(stage: Stage) -> str:
    """The stage fact of every reviewer's prompt: the same sentence the report shows."""
    if stage.stage is None:
        return f"Stage: none known ({stage.evidence}); judge the VEP as a proposal for its first stage."
    return (f"Stage: review this as {'an' if stage.stage == 'alpha' else 'a'} {stage.label} proposal"
            f"{' for ' + stage.release if stage.release else ''} ({stage.evidence}); hold it to what "
            f"{stage.label} needs, not to later stages.")


def _gate_facts(p: Prepared) -> str:
    g = p.gate
    if g.exempt:
        return "Feature gate: not expected (a process VEP)."
    if g.named:
        return f"Feature gate named: {g.named} (line {g.named_line})."
    return "Feature gate: none named in the front matter or the text."


def _design_evidence(p: Prepared, deterministic: list, cap: int) -> str:
    return "\n".join(_common_facts(p, deterministic, cap) + [_gate_facts(p)])


def _cross_sig_evidence(p: Prepared, deterministic: list, cap: int) -> str:
    return "\n".join(_common_facts(p, deterministic, cap) + ["", "Cross-SIG pre-pass:", taxonomy.render(p.cross_sig)])


def _gate_evidence(p: Prepared, deterministic: list, cap: int) -> str:
    lines = _common_facts(p, deterministic, cap) + [_gate_facts(p)]
    fm = p.doc.front_matter
    if fm is not None and fm.error is None:
        lines.append("Front matter feature-gate field: " + ("present but empty" if "feature-gate" in fm.data else "absent") + ".")
    if p.gate.opt_out:
        lines.append("Sentences that seem to opt out of a feature gate:")
        lines += [f"- line {n}: {text!r}" for n, text in p.gate.opt_out[:10]]
    else:
        lines.append("No sentence opting out of a feature gate was found.")
    return "\n".join(lines)


def _always(p: Prepared) -> tuple[bool, str]:
    return True, ""


def _cross_sig_applies(p: Prepared) -> tuple[bool, str]:
    """Run the cross-SIG reviewer only where it can matter: the pre-pass has a candidate SIG
    (terms common to every SIG's VEPs do not count) or ``participating-sigs`` is non-empty
    (:attr:`agent.llm.taxonomy.CrossSigReport.worth_reviewing`)."""
    return p.cross_sig.worth_reviewing


def _gate_applies(p: Prepared) -> tuple[bool, str]:
    if p.gate.exempt:
        return False, "process VEP: no feature gate expected"
    if p.gate.named:
        return False, f"the VEP names its feature gate ({p.gate.named})"
    return True, ""


REVIEWERS: tuple[Reviewer, ...] = (
    Reviewer("design_gaps", "LLM101", "design-gap", "design_gaps.md",
             "docs/vep-writing-guide.md; veps/NNNN-vep-template/vep.md; docs/feature-lifecycle.md; "
             "Kubernetes production readiness questions",
             _always, _design_evidence),
    Reviewer("cross_sig", "LLM201", "cross-sig-impact", "cross_sig.md",
             "docs/vep-governance.md, Front Matter Schema (participating-sigs); SIG areas from kubevirt/kubevirt OWNERS",
             _cross_sig_applies, _cross_sig_evidence),
    Reviewer("feature_gate", "LLM301", "feature-gate-justification", "feature_gate.md",
             "docs/feature-lifecycle.md, Can a VEP choose to not include a feature gate?",
             _gate_applies, _gate_evidence),
)

BY_KEY = {r.key: r for r in REVIEWERS}


def change_text(p: Prepared) -> str | None:
    """The ``<vep_change>`` block of ``p`` (with a base version), else ``None``."""
    from agent.llm.change import render

    return render(p.change) if p.change is not None else None


async def run_reviewer(reviewer: Reviewer, p: Prepared, deterministic: list["Finding"], client: "LlmClient",
                       cap: int, cache_document: bool = True) -> tuple[list[tuple[str, object]], list["CallRecord"], int]:
    """Ask one reviewer.

    Returns:
        ([(reviewer key, LlmFinding), …], call records, number of invalid items dropped).

    Raises:
        agent.llm.client.LlmError: the call failed for good (its ``records`` hold the attempts).
    """
    request = build_request(reviewer.prompt, p.text, p.doc.info.repo_path, reviewer.evidence(p, deterministic, cap),
                            p.ctx.repo_root, change_text(p), cache_document)
    answer, records = await client.review(reviewer.key, request)
    return [(reviewer.key, f) for f in answer.findings], records, len(answer.invalid)
