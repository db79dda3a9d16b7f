"""``vep-review review``: the deterministic checks, then the LLM reviewers, as one report.

Entry points (the CLI, the GitHub front end and the evals call these):

- :func:`run_review`: paths in, :class:`agent.engine.Report` out (discovers and parses files like
  :func:`agent.engine.check_paths`).
- :func:`review_documents` / :func:`areview_documents`: for callers that already hold parsed
  documents and their contexts (the GitHub front end reads files through the API).

The LLM part is optional by design: without an API key (or with ``--no-llm``, or when the API
stays down after the retries, or answers invalid output twice) the deterministic review is still
complete, and :attr:`Report.llm_status` says in one line why the LLM part did not run.
:attr:`Report.usage` carries the model, calls, tokens (cache writes and reads included), the
estimated cost (:mod:`agent.llm.pricing`) and the wall time of the review (graph runs, not the
one-time imports of anthropic and langgraph).

This module stays light to import: anthropic, langgraph and pydantic are imported only when a
review runs (``vep-review check`` never imports them).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.engine import CheckOptions, Report, check_document, discover
from agent.findings import FileReport

if TYPE_CHECKING:  # pragma: no cover
    from agent.context import CheckContext
    from agent.document import VepDocument

#: Model used when neither --model, $VEP_REVIEW_MODEL nor the configuration names one: the
#: current Sonnet (platform.claude.com models overview, November 2026).
DEFAULT_MODEL = "claude-sonnet-5-5"
#: Seconds the LLM part of one review may take in all (``--llm-timeout``, ``llm: {timeout: …}``).
DEFAULT_LLM_TIMEOUT = 120.0

NO_KEY = ("ANTHROPIC_API_KEY is not set; set it (or use --base-url for a self-hosted endpoint) "
          "to enable the LLM review")


@dataclass
class LlmOptions:
    """Options of the LLM part of a review.

    Attributes:
        enabled: ``False`` for ``--no-llm``.
        model: model id; default ``$VEP_REVIEW_MODEL``, else the checked repository's
            configuration (``llm: {model: …}``), else :data:`DEFAULT_MODEL`.
        base_url: Anthropic-compatible endpoint; default ``$ANTHROPIC_BASE_URL``, else Anthropic's.
        api_key: default ``$ANTHROPIC_API_KEY``. With a ``base_url`` and no key, a placeholder
            key is sent (self-hosted servers often need none).
        timeout: seconds per HTTP attempt, connect to last byte of the body.
        total_timeout: seconds for the whole LLM part of the review (``--llm-timeout``); ``None``:
            the configuration's ``llm: {timeout: …}``, else :data:`DEFAULT_LLM_TIMEOUT`.
        max_retries: retries of a failed request (429, 5xx, 529, timeouts, connection errors).
        max_retry_wait: upper bound in seconds of any wait between retries, ``retry-after`` included.
        max_findings: the VEP's budget of LLM findings across reviewers, after verification and
            ranking (``--max-findings``; configuration ``llm: {max_findings: N}``; 0 turns the
            reviewers off).
        max_findings_per_reviewer: cap per reviewer after verification.
        min_confidence: findings below this confidence are dropped (configuration
            ``llm: {min_confidence: x}``).
        warmup: before two or more parallel reviewers, one one-token request writes the cached
            prefix (docs/llm-review.md, "Prompt caching").
        max_tokens: output budget per call (a repair of a truncated answer doubles it).
        effort: ``output_config.effort`` (``low`` … ``max``) for models that support it; ``None``
            leaves the model's default.
        output_mode: ``"json"`` (``output_config.format``, default) or ``"tool"`` (forced tool
            use, for endpoints or older models without JSON outputs).
        reviewers: the reviewers to run (default: all three; configuration ``llm: {reviewers: …}``).
        max_parallel_documents: documents reviewed at once (each runs its reviewers in parallel).
        http_client: an ``httpx2.AsyncClient`` to use (tests); ``None``: the SDK's default.
        sleep: coroutine function used between retries (tests); ``None``: ``asyncio.sleep``.
    """

    enabled: bool = True
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 60.0
    total_timeout: float | None = None
    max_retries: int = 2
    max_retry_wait: float = 10.0
    max_findings: int | None = None
    max_findings_per_reviewer: int = 5
    min_confidence: float | None = None
    warmup: bool = True
    max_tokens: int = 8000
    effort: str | None = "medium"
    output_mode: str = "json"
    reviewers: tuple[str, ...] | None = None
    max_parallel_documents: int = 2
    http_client: object = field(default=None, repr=False)
    sleep: object = field(default=None, repr=False)

    def resolved_model(self, config_llm: dict | None = None) -> str:
        """--model, else ``$VEP_REVIEW_MODEL``, else the configuration, else :data:`DEFAULT_MODEL`."""
        configured = (config_llm or {}).get("model")
        return (self.model or os.environ.get("VEP_REVIEW_MODEL") or (configured if isinstance(configured, str) else None)
                or DEFAULT_MODEL)

    def resolved_base_url(self) -> str | None:
        """--base-url, else ``$ANTHROPIC_BASE_URL``, else ``None`` (Anthropic's API)."""
        return self.base_url or os.environ.get("ANTHROPIC_BASE_URL") or None

    def resolved_api_key(self) -> str | None:
        """The key, else ``$ANTHROPIC_API_KEY``, else ``None``."""
        return self.api_key or os.environ.get("ANTHROPIC_API_KEY") or None

    def resolved_total_timeout(self, config_llm: dict | None = None) -> float:
        """--llm-timeout, else the configuration's ``llm.timeout``, else :data:`DEFAULT_LLM_TIMEOUT` (seconds)."""
        configured = (config_llm or {}).get("timeout")
        return float(self.total_timeout or configured or DEFAULT_LLM_TIMEOUT)

    def reviewer_timeout(self, config_llm: dict | None = None) -> float:
        """Backstop timeout of a reviewer node: two calls (review, repair), each with all its
        attempts and waits, plus a margin."""
        one_call = (self.max_retries + 1) * self.timeout + self.max_retries * self.max_retry_wait
        return min(2 * one_call, self.resolved_total_timeout(config_llm)) + 10.0


# -- entry points -------------------------------------------------------------------------------

def run_review(paths: list[str], options: CheckOptions, llm: LlmOptions, stdin: bytes | None = None) -> Report:
    """Review files and directories: ``vep-review review``.

    Args:
        paths: files, directories, or ``"-"`` for ``stdin``.
        options: the deterministic check options (:class:`agent.engine.CheckOptions`).
        llm: :class:`LlmOptions`.
        stdin: content for the path ``"-"``.

    Returns:
        the :class:`Report`: every readable file with its deterministic and verified LLM findings,
        unreadable files with their error, ``llm_status`` and ``usage``.

    Raises:
        agent.engine.UsageError: bad configuration, base or schedules (as ``check``).
    """
    entries, errors, skipped = load_items(paths, options, stdin)
    items = [e for e in entries if not isinstance(e, FileReport)]
    reviewed = review_documents(items, llm)
    by_doc = iter(reviewed.files)
    files = [e if isinstance(e, FileReport) else next(by_doc) for e in entries]
    return Report(files=files, errors=errors, skipped=skipped, llm_status=reviewed.llm_status, usage=reviewed.usage)


def review_documents(items: list[tuple["VepDocument", "CheckContext"]], llm: LlmOptions) -> Report:
    """Review already parsed documents (synchronous wrapper of :func:`areview_documents`; safe to
    call from inside a running event loop, where it uses a worker thread).

    Returns:
        a :class:`Report` with one :class:`FileReport` per item, in order.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(areview_documents(items, llm))
    box: dict = {}

    def worker():
        try:
            box["report"] = asyncio.run(areview_documents(items, llm))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=worker, name="vep-review-llm")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["report"]


async def areview_documents(items: list[tuple["VepDocument", "CheckContext"]], llm: LlmOptions) -> Report:
    """Review parsed documents: the graph per document, up to ``llm.max_parallel_documents`` at once.
    Never raises for a document: a graph that fails as a whole falls back to the deterministic
    findings of that document, with the reason in ``llm_status``."""
    config_llm = items[0][1].config.llm if items else {}
    model = llm.resolved_model(config_llm)
    skip, client = _client_for(llm, model, config_llm, bool(items))
    try:
        try:
            from agent.graph import Deps, review_one
        except ImportError as exc:  # langgraph missing: the deterministic review still works
            files = [FileReport(doc.path, check_document(doc, ctx)) for doc, ctx in items]
            return Report(files=with_stages(files, items),
                          llm_status=f"skipped: the review graph needs langgraph ({exc.name} is not installed)")
        reviewers = tuple(llm.reviewers or config_llm.get("reviewers") or Deps.reviewers)
        from agent.llm.verify import DEFAULT_MAX_FINDINGS, DEFAULT_MIN_CONFIDENCE

        max_findings = llm.max_findings if llm.max_findings is not None else config_llm.get("max_findings", DEFAULT_MAX_FINDINGS)
        min_confidence = (llm.min_confidence if llm.min_confidence is not None
                          else config_llm.get("min_confidence", DEFAULT_MIN_CONFIDENCE))
        deps = Deps(client=client, reviewers=reviewers, max_findings=int(max_findings),
                    max_findings_per_reviewer=int(config_llm.get("max_findings_per_reviewer", llm.max_findings_per_reviewer)),
                    min_confidence=float(min_confidence), warmup=llm.warmup)
        gate = asyncio.Semaphore(max(1, llm.max_parallel_documents))
        start = time.monotonic()  # after the one-time imports: the review's own wall time

        async def one(doc, ctx) -> dict:
            async with gate:
                try:
                    return await review_one(doc, ctx, deps, llm.reviewer_timeout(config_llm))
                except Exception as exc:  # noqa: BLE001 - the deterministic review must survive
                    reason = f"graph: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
                    return {"file_report": FileReport(doc.path, check_document(doc, ctx)), "notes": [reason],
                            "graph_failed": True}

        states = await asyncio.gather(*(one(doc, ctx) for doc, ctx in items))
    finally:
        if client is not None:
            await client.aclose()
    wall = time.monotonic() - start
    files = [s["file_report"] for s in states]
    status, usage = summarize_llm(states, model, skip, client is not None, wall, items)
    return Report(files=with_stages(files, items), llm_status=status, usage=usage)


def with_stages(files: list[FileReport], items: list[tuple["VepDocument", "CheckContext"]]) -> list[FileReport]:
    """Record on each file report the stage its VEP was reviewed at (:func:`agent.stage.review_stage`,
    the same the reviewers are told), so that every format shows it, also without an LLM."""
    from agent.stage import review_stage

    for fr, (doc, ctx) in zip(files, items):
        fr.set_stage(review_stage(doc, ctx))
    return files


# -- helpers ------------------------------------------------------------------------------------

def load_items(paths: list[str], options: CheckOptions, stdin: bytes | None = None) -> tuple[list, list[str], list[str]]:
    """Discover and load documents as :func:`agent.engine.check_paths` does.

    Returns:
        (entries in order: ``(doc, ctx)`` for readable files, :class:`FileReport` with ``error``
        for unreadable ones; errors about paths that are not files; skipped supplementary files).

    Raises:
        agent.engine.UsageError: as ``check_paths``.
    """
    from agent.engine import load, validate

    docs, errors, skipped = discover(paths)
    validate(docs, options)
    contexts: dict = {}
    return [load(path, options, stdin, contexts) for path in docs], errors, skipped


def _client_for(llm: LlmOptions, model: str, config_llm: dict, have_items: bool):
    """(skip reason, client): exactly one of them is ``None``."""
    if not llm.enabled:
        return "disabled with --no-llm", None
    if not have_items:
        return "no readable VEP document to review", None
    key, base_url = llm.resolved_api_key(), llm.resolved_base_url()
    if not key and not base_url:
        return NO_KEY, None
    try:
        from agent.llm.client import ClientSettings, LlmClient
    except ImportError as exc:
        return f"the anthropic package is not installed ({exc.name})", None
    settings = ClientSettings(
        model=model, api_key=key or "no-key-needed", base_url=base_url, timeout=llm.timeout,
        total_timeout=llm.resolved_total_timeout(config_llm),
        max_retries=max(0, llm.max_retries), max_retry_wait=max(0.0, llm.max_retry_wait), max_tokens=llm.max_tokens,
        effort=config_llm.get("effort", llm.effort), output_mode=config_llm.get("output_mode", llm.output_mode))
    return None, LlmClient(settings, http_client=llm.http_client, sleep=llm.sleep)


def _group_reasons(notes: list[str], limit: int = 300) -> str:
    """``["a: boom", "b: boom", "c: other"]`` -> ``"boom (a, b); other (c)"``, at most ``limit`` characters."""
    grouped: dict[str, list[str]] = {}
    for note in notes:
        who, _, reason = note.partition(": ")
        grouped.setdefault(reason or who, []).append(who if reason else "")
    text = "; ".join(f"{reason} ({', '.join(dict.fromkeys(w for w in who if w))})" if any(who) else reason
                     for reason, who in grouped.items())
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: The verifier's drop counters, in the order the usage figures list them (:class:`agent.llm.verify.VerifyStats`).
DROP_KEYS = ("dropped_invalid", "dropped_unverified", "dropped_answered", "dropped_generic", "dropped_unsupported",
             "dropped_off_task", "dropped_unchanged", "dropped_low_confidence", "dropped_duplicate", "dropped_capped")
_DROP_WORDS = {"dropped_invalid": "invalid", "dropped_unverified": "quote not in the VEP",
               "dropped_answered": "answered elsewhere in the VEP", "dropped_generic": "generic",
               "dropped_unsupported": "not supported by its quote", "dropped_off_task": "another reviewer's topic",
               "dropped_unchanged": "about unchanged text", "dropped_low_confidence": "low confidence",
               "dropped_duplicate": "duplicate", "dropped_capped": "over the budget"}


def budget_summary(candidates: int, kept: int, dropped: dict[str, int]) -> str:
    """``"; 3 of 14 candidate findings kept (dropped: 2 quote not in the VEP, 9 over the budget)"``,
    or, when nothing was kept, a line saying that an empty review is a good answer."""
    why = ", ".join(f"{n} {_DROP_WORDS[k]}" for k, n in dropped.items() if n)
    why = f" (dropped: {why})" if why else ""
    if kept == 0:
        if candidates == 0:
            return "; no LLM finding: the reviewers raised no concern"
        return f"; no LLM finding: none of {candidates} candidate(s) survived checking{why}"
    return f"; {kept} of {candidates} candidate finding(s) kept{why}"


def summarize_llm(states: list[dict], model: str, skip: str | None, attempted: bool, wall: float,
                  items: list) -> tuple[str, dict]:
    """(``llm_status`` one-liner, ``usage`` dict) from the final graph states."""
    from agent.llm.pricing import estimate_cost

    if not attempted:
        return f"skipped: {skip}", {}
    from agent.llm.reviewers import BY_KEY

    calls = [c for s in states for c in s.get("calls", [])]
    answered = [c for c in calls if c.ok]
    notes = [n for s in states for n in s.get("notes", [])]
    ran = sum(len(s.get("ran", [])) for s in states)
    reviewer_failed = [n for n in notes if n.partition(":")[0] in BY_KEY]
    other_failed = [n for n in notes if n not in reviewer_failed]
    stats = [s["stats"] for s in states if s.get("stats") is not None]
    totals = {k: sum(getattr(c, k) for c in answered)
              for k in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
    dropped = {k: sum(getattr(st, k) for st in stats) for k in DROP_KEYS}
    candidates, kept = sum(st.candidates + st.dropped_invalid for st in stats), sum(st.kept for st in stats)
    models = sorted({c.model for c in answered if c.model})
    usage = {
        "model": model,
        "calls": len(answered),
        "attempts": len(calls),
        **totals,
        "estimated_cost_usd": estimate_cost(model, **totals),
        "wall_seconds": round(wall, 2),
        "slowest_call_seconds": round(max((c.seconds for c in calls), default=0.0), 2),
        "request_bytes": sum(c.request_bytes for c in calls),
        "cache_writes": sum(1 for c in answered if "write" in c.cache),
        "cache_reads": sum(1 for c in answered if "read" in c.cache),
        "per_call": [{"reviewer": c.reviewer, "purpose": c.purpose, "cache": c.cache, "input_tokens": c.input_tokens,
                      "cache_creation_input_tokens": c.cache_creation_input_tokens,
                      "cache_read_input_tokens": c.cache_read_input_tokens, "output_tokens": c.output_tokens}
                     for c in answered],
        "candidates": candidates,
        "llm_findings": kept,
        **dropped,
        "documents": len(items),
        "reviewers_ran": ran,
        "reviewers_failed": len(reviewer_failed),
    }
    if models and models != [model]:
        usage["answered_by"] = ", ".join(models)
    plural = "s" * (len(answered) != 1)
    suffix = budget_summary(candidates, kept, dropped) if stats else ""
    problems = _group_reasons(reviewer_failed + other_failed)
    if ran and not problems:
        return f"ran: {len(answered)} call{plural}, model {model}{suffix}", usage
    if ran:
        return (f"partial: {ran} of {ran + len(reviewer_failed)} reviewers answered, {len(answered)} call{plural}, "
                f"model {model}{suffix}; {problems}"), usage
    if not problems:
        return f"ran: no reviewer applied, model {model}", usage
    reasons = problems
    return f"failed: {reasons}; the deterministic review is complete", usage
