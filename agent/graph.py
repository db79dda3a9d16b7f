"""The review graph of one VEP (LangGraph)::

    START ─> load ─> checks ─┬─> [warm] ─┬─> design_gaps ──┐
                             │           ├─> cross_sig ────┼─> verify ─> report ─> END
                             │           └─> feature_gate ─┘
                             └─> report            (no LLM: no key, --no-llm, nothing to review)

- **load**: the reviewers' inputs (:func:`agent.llm.reviewers.prepare`): sanitised text, stage,
  feature-gate status, cross-SIG pre-pass, and with a base version the change
  (:func:`agent.llm.change.compute_change`; an unchanged VEP goes straight to ``report``).
- **warm**: when two or more reviewers will run, one one-token request writes the cacheable
  prefix (instructions, process documents, the VEP) so that the parallel reviewers read it
  instead of each writing it (:meth:`agent.llm.client.LlmClient.warm`; figures in
  docs/llm-review.md). Never fails the run.
- **checks**: the deterministic rules (:func:`agent.engine.check_document`), as ``vep-review check``.
- **design_gaps, cross_sig, feature_gate**: the LLM reviewers, run in parallel (one superstep);
  ``feature_gate`` only when the VEP names no gate. Their writes are merged by reducers
  (``operator.add``) on ``raw``, ``calls``, ``notes`` and ``ran``.
- **verify**: quote verification, the checking pass (the reviewers' self-check and the
  deterministic filters), the change filter, de-duplication and the VEP's ranked budget of
  ``max_findings`` (:mod:`agent.llm.verify`).
- **report**: the :class:`agent.findings.FileReport`: deterministic and verified LLM findings, by line.

A reviewer disabled in the VEP (``<!-- vep-review: disable=LLM201 -->``) is not routed to.

Failure never loses earlier results: every node but ``report`` has an ``error_handler`` that
records a one-line reason in ``notes`` and sends the run on (a failed reviewer to ``verify``, so
the other reviewers' findings are kept; a failed ``verify`` to ``report`` without LLM findings,
since unverified findings must never be reported). Reviewer nodes have a ``timeout`` as a
backstop; retries are not a node ``retry_policy`` but live in the client
(:mod:`agent.llm.client`), where the HTTP status and ``retry-after`` are visible.

Nodes are async: run the graph with ``ainvoke``. Run-scoped dependencies (the LLM client, the
options) are passed as LangGraph runtime context (:class:`Deps`), not in the state.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, TypedDict

from langgraph.errors import NodeError, NodeTimeoutError
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.config import inline_disabled_names
from agent.context import CheckContext
from agent.document import VepDocument
from agent.engine import check_document
from agent.findings import FileReport, Finding, Severity
from agent.llm.client import LlmClient, LlmError
from agent.llm.prompts import build_request
from agent.llm.reviewers import BY_KEY, REVIEWERS, Prepared, change_text, prepare, run_reviewer
from agent.llm.verify import DEFAULT_MAX_FINDINGS, DEFAULT_MIN_CONFIDENCE, VerifyStats, verify


class ReviewState(TypedDict, total=False):
    """The graph's state for one document (keys written by the node named on the right)."""

    doc: VepDocument                          # input
    ctx: CheckContext                         # input
    prepared: Prepared                        # load
    deterministic: list[Finding]              # checks
    raw: Annotated[list, operator.add]        # reviewers: (reviewer key, LlmFinding)
    invalid: Annotated[int, operator.add]     # reviewers: answer items that did not validate
    calls: Annotated[list, operator.add]      # reviewers: agent.llm.client.CallRecord
    ran: Annotated[list[str], operator.add]   # reviewers that answered
    notes: Annotated[list[str], operator.add]  # any node: one-line reasons (failures, skips)
    llm_findings: list[Finding]               # verify
    stats: VerifyStats                        # verify
    file_report: FileReport                   # report


@dataclass
class Deps:
    """Run-scoped dependencies (LangGraph runtime context).

    Attributes:
        client: the LLM client, ``None`` when the LLM part does not run.
        reviewers: keys of the enabled reviewers.
        max_findings: the VEP's budget of LLM findings, across reviewers.
        max_findings_per_reviewer, min_confidence: verification limits.
        warmup: send the cache warm-up request before two or more parallel reviewers.
    """

    client: LlmClient | None
    reviewers: tuple[str, ...] = tuple(r.key for r in REVIEWERS)
    max_findings: int = DEFAULT_MAX_FINDINGS
    max_findings_per_reviewer: int = 5
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    warmup: bool = True


async def load(state: ReviewState) -> dict:
    prepared = prepare(state["doc"], state["ctx"])
    ctx = state["ctx"]
    if ctx.has_base and ctx.base is not None:
        from agent.llm.change import compute_change

        prepared.change = compute_change(ctx.base, state["doc"])
    return {"prepared": prepared}


async def checks(state: ReviewState) -> dict:
    return {"deterministic": check_document(state["doc"], state["ctx"])}


def reviewers_to_run(state: ReviewState, deps: Deps) -> list[str]:
    """Keys of the reviewers that run on this VEP (empty: no LLM call at all)."""
    prepared = state.get("prepared")
    if deps.client is None or prepared is None or deps.max_findings <= 0:
        return []
    if prepared.change is not None and prepared.change.empty:
        return []
    off = suppressed_reviewers(state["doc"].text)
    return [r.key for r in REVIEWERS if r.key in deps.reviewers and r.key not in off and r.applies(prepared)[0]]


def route(state: ReviewState, runtime: Runtime[Deps]) -> list[str]:
    """The reviewers to run in parallel, or straight to ``report``."""
    return reviewers_to_run(state, runtime.context) or ["report"]


def route_after_checks(state: ReviewState, runtime: Runtime[Deps]) -> list[str]:
    """``warm`` first when two or more reviewers will share the cached prefix, else :func:`route`."""
    keys = reviewers_to_run(state, runtime.context)
    if len(keys) >= 2 and runtime.context.warmup:
        return ["warm"]
    return keys or ["report"]


async def warm(state: ReviewState, runtime: Runtime[Deps]) -> dict:
    """The cache warm-up request (see the module docstring); its failure is only a note."""
    deps = runtime.context
    p = state["prepared"]
    reviewer = BY_KEY[reviewers_to_run(state, deps)[0]]
    try:
        request = build_request(reviewer.prompt, p.text, p.doc.info.repo_path, "", p.ctx.repo_root, change_text(p))
        return {"calls": await deps.client.warm(request)}
    except Exception as exc:  # noqa: BLE001 - a warm-up only saves money
        return {"notes": [f"warm: {type(exc).__name__}: {' '.join(str(exc).split())[:160]}"]}


def reviewer_node(key: str):
    """The node function of reviewer ``key``."""
    reviewer = BY_KEY[key]

    async def node(state: ReviewState, runtime: Runtime[Deps]) -> dict:
        deps = runtime.context
        cap = max(1, min(deps.max_findings_per_reviewer, deps.max_findings))
        shared = len(reviewers_to_run(state, deps)) >= 2  # else nobody reads a cached VEP block
        raw, calls, invalid = await run_reviewer(reviewer, state["prepared"], state.get("deterministic", []),
                                                 deps.client, cap, shared)
        return {"raw": raw, "calls": calls, "ran": [key], "invalid": invalid}

    node.__name__ = key
    return node


async def verify_node(state: ReviewState, runtime: Runtime[Deps]) -> dict:
    deps = runtime.context
    doc = state["doc"]
    prepared = state.get("prepared")
    findings, stats = verify(doc, state.get("raw", []), state.get("deterministic", []), BY_KEY,
                             deps.max_findings_per_reviewer, deps.min_confidence, max_findings=deps.max_findings,
                             ran=state.get("ran", []), change=prepared.change if prepared is not None else None,
                             invalid=state.get("invalid", 0))
    return {"llm_findings": findings, "stats": stats}


def suppressed_reviewers(text: str) -> set[str]:
    """Reviewer keys disabled in the VEP by ``<!-- vep-review: disable=LLM201 -->`` (rule ID or
    name, as for the deterministic rules)."""
    named = inline_disabled_names(text)
    return {r.key for r in REVIEWERS if r.rule in {n.upper() for n in named} or r.name in named}


async def report(state: ReviewState) -> dict:
    findings = sorted(state.get("deterministic", []) + state.get("llm_findings", []), key=Finding.sort_key)
    return {"file_report": FileReport(state["doc"].path, findings)}


# -- error handlers: record the reason, keep going ---------------------------------------------

def _reason(error: NodeError) -> str:
    exc = error.error
    if isinstance(exc, LlmError):
        return exc.reason
    if isinstance(exc, NodeTimeoutError):
        return "no answer within the reviewer's time limit (node timeout)"
    return f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def load_failed(state: ReviewState, error: NodeError) -> Command:
    return Command(update={"notes": [f"load: {_reason(error)}"]}, goto="checks")


def checks_failed(state: ReviewState, error: NodeError) -> Command:
    internal = Finding(rule="VEP000", name="internal-error", severity=Severity.ERROR, path=state["doc"].path,
                       line=None, message=f"the deterministic checks failed: {_reason(error)}",
                       fix="Report this at the vep-review issue tracker with the document.", source="vep-review")
    return Command(update={"notes": [f"checks: {_reason(error)}"], "deterministic": [internal]}, goto="report")


def reviewer_failed(state: ReviewState, error: NodeError) -> Command:
    records = error.error.records if isinstance(error.error, LlmError) else []
    return Command(update={"notes": [f"{error.node}: {_reason(error)}"], "calls": records}, goto="verify")


def verify_failed(state: ReviewState, error: NodeError) -> Command:
    return Command(update={"notes": [f"verify: {_reason(error)}; LLM findings dropped"], "llm_findings": []},
                   goto="report")


@lru_cache(maxsize=8)
def build_graph(reviewer_timeout: float = 300.0):
    """The compiled graph (cached per reviewer timeout, in seconds)."""
    g = StateGraph(ReviewState, context_schema=Deps)
    g.add_node("load", load, error_handler=load_failed)
    g.add_node("checks", checks, error_handler=checks_failed)
    for r in REVIEWERS:
        g.add_node(r.key, reviewer_node(r.key), error_handler=reviewer_failed, timeout=reviewer_timeout)
        g.add_edge(r.key, "verify")
    g.add_node("verify", verify_node, error_handler=verify_failed)
    g.add_node("report", report)
    g.add_edge(START, "load")
    g.add_edge("load", "checks")
    g.add_node("warm", warm)
    g.add_conditional_edges("checks", route_after_checks, ["warm"] + [r.key for r in REVIEWERS] + ["report"])
    g.add_conditional_edges("warm", route, [r.key for r in REVIEWERS] + ["report"])
    g.add_edge("verify", "report")
    g.add_edge("report", END)
    return g.compile()


async def review_one(doc: VepDocument, ctx: CheckContext, deps: Deps, reviewer_timeout: float = 300.0) -> dict:
    """Run the graph on one document; returns the final state (a dict)."""
    return await build_graph(reviewer_timeout).ainvoke({"doc": doc, "ctx": ctx}, context=deps)
