"""The Anthropic Messages client of the reviewers.

What it adds to the SDK (``anthropic`` 2.x, on httpx2):

- **Structured output, validated.** By default the answer is constrained with
  ``output_config.format`` (JSON schema from :class:`agent.llm.schema.ReviewerOutput`): current
  models (Claude Sonnet 5.5, Opus 5.5) reject a forced ``tool_choice``, so forced tool use is
  kept only as ``output_mode="tool"`` for endpoints and older models that need it. Either way
  the answer is validated with pydantic here; the API's constrained decoding does not enforce
  every limit.
- **One repair attempt.** An answer that does not validate, or that stopped at
  ``stop_reason: max_tokens``, is asked for once more, with the validation errors (and, when
  truncated, twice the token budget). A second failure is an :class:`LlmError`.
- **Bounded retries with a capped retry-after.** The SDK's own retries are off
  (``max_retries=0``): it honours ``retry-after`` without an upper bound, so a ``retry-after: 60``
  would stall a review for a minute. Here 408, 409, 429, 5xx (529 "overloaded" included),
  timeouts and connection errors are retried at most ``max_retries`` times, waiting
  ``retry-after`` (or exponential backoff) but never more than ``max_retry_wait`` seconds.
- **Accounting.** Every HTTP attempt becomes a :class:`CallRecord` (status, tokens including
  cache writes and reads, seconds, request size), also when the call finally fails.

The request carries the header ``x-vep-review-reviewer: <reviewer>``: the cassettes of the
offline tests and the local fake server use it to tell the parallel requests apart.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from dataclasses import dataclass

from agent.llm.prompts import Request
from agent.llm.schema import ReviewerOutput, describe_error

#: Header naming the reviewer of a request.
REVIEWER_HEADER = "x-vep-review-reviewer"
#: Reviewer header and text of the cache warm-up request (:meth:`LlmClient.warm`).
WARMUP_REVIEWER = "warmup"
WARMUP_TEXT = "<warmup>Cache warm-up: no review is wanted; answer with nothing.</warmup>"
#: Largest ``max_tokens`` a repair of a truncated answer asks for.
MAX_REPAIR_TOKENS = 32_000

_RETRY_STATUS = {408, 409, 429}
#: Statuses that no later request of the run can escape: key rejected or without permission, model or
#: endpoint not found (docs/llm-review.md, "Faults").
_FATAL_STATUS = {401, 403, 404}


@dataclass
class CallRecord:
    """One HTTP request to the Messages API.

    Attributes:
        reviewer: the reviewer that made it.
        purpose: ``"review"``, ``"repair"`` or ``"warmup"`` (:meth:`LlmClient.warm`).
        ok: a message came back (then tokens are filled).
        status: HTTP status, ``None`` for a timeout or connection error.
        seconds: wall time of the request.
        request_bytes: size of the JSON body sent.
        input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens: as the
            API reports them (``input_tokens`` excludes cached tokens).
        stop_reason: the message's stop reason.
        error: one-line error, for failed attempts.
        model: the model that answered.
    """

    reviewer: str
    purpose: str
    ok: bool
    status: int | None
    seconds: float
    request_bytes: int
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    stop_reason: str | None = None
    error: str | None = None
    model: str | None = None

    @property
    def cache(self) -> str:
        """What the call did with the prompt cache, from its usage fields: ``"write"``,
        ``"read"``, ``"read+write"`` or ``"none"``."""
        wrote, read = self.cache_creation_input_tokens > 0, self.cache_read_input_tokens > 0
        return "read+write" if wrote and read else "write" if wrote else "read" if read else "none"


class LlmError(Exception):
    """A reviewer's call failed for good.

    Attributes:
        reason: one line for the report (``"API overloaded (HTTP 529) after 3 attempts"``).
        kind: ``unavailable`` (HTTP errors, timeouts, connection), ``invalid-output``,
            ``truncated`` (``max_tokens`` twice), ``refused``, or ``config``.
        records: the attempts made, for the usage figures.
    """

    def __init__(self, reason: str, kind: str, records: list[CallRecord] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.records = list(records or [])


class _Invalid(Exception):
    def __init__(self, problem: str, kind: str = "invalid-output"):
        super().__init__(problem)
        self.problem = problem
        self.kind = kind


@dataclass
class ClientSettings:
    """Everything :class:`LlmClient` needs (see :class:`agent.review.LlmOptions` for the user-facing options).

    ``timeout`` bounds each HTTP attempt as a whole (connect, first byte and the whole body: a
    server sending one byte every few seconds is cut off too); ``total_timeout`` bounds every
    call of the client together, from its creation (the LLM part of one review; ``None``: no
    bound), waits between retries included."""

    model: str
    api_key: str
    base_url: str | None = None
    timeout: float = 60.0
    total_timeout: float | None = 120.0
    max_retries: int = 2
    max_retry_wait: float = 10.0
    max_tokens: int = 8000
    effort: str | None = None
    output_mode: str = "json"


def supports_effort(model: str) -> bool:
    """Whether ``output_config.effort`` may be sent to ``model`` (Claude 4.5 Opus and later
    families; not Haiku 4.5, not unknown self-hosted models)."""
    return model.startswith(("claude-opus-5", "claude-sonnet-5", "claude-haiku-5", "claude-fable", "claude-mythos",
                             "claude-opus-4-5", "claude-opus-4-6", "claude-opus-4-7", "claude-opus-4-8"))


class LlmClient:
    """Asynchronous reviewer calls over one ``anthropic.AsyncAnthropic`` client.

    Args:
        settings: :class:`ClientSettings`.
        http_client: an ``httpx2.AsyncClient`` (tests: a ``MockTransport``); default: the SDK's
            ``DefaultAsyncHttpxClient``.
        sleep: coroutine function used to wait between retries (tests record the waits).
    """

    def __init__(self, settings: ClientSettings, http_client=None, sleep=None):
        import anthropic

        self.settings = settings
        self._sleep = sleep or asyncio.sleep
        #: monotonic time after which no attempt starts (``settings.total_timeout``)
        self._deadline = time.monotonic() + settings.total_timeout if settings.total_timeout else None
        #: The reason of a failure every later request would meet too (a rejected key, an unknown
        #: model, a warm-up prefix the API refused): later requests are not sent.
        self._fatal: str | None = None
        self._client = anthropic.AsyncAnthropic(
            api_key=settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,
            http_client=http_client or anthropic.DefaultAsyncHttpxClient(),
        )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    async def review(self, reviewer: str, request: Request) -> tuple[ReviewerOutput, list[CallRecord]]:
        """Ask for a :class:`ReviewerOutput`.

        The answer is validated item by item (:meth:`ReviewerOutput.parse_lenient`): an invalid
        finding is dropped on its own (listed in the answer's ``invalid``), a cut-off answer keeps
        its complete findings. Only an answer that is unusable as a whole (not JSON, no findings
        list, cut off before its first finding) gets the one repair call, which resends the same
        request (whose prefix the cache holds) plus a short note.

        Returns:
            (the validated answer, the call records).

        Raises:
            LlmError: the API stayed unavailable after the retries, or the answer was unusable
                (or truncated) twice, or the model refused.
        """
        records: list[CallRecord] = []
        params = self._params(request, self.settings.max_tokens)
        msg = await self._send(reviewer, "review", params, records)
        try:
            return self._parse(msg), records
        except _Invalid as first:
            if first.kind == "refused":
                raise LlmError(f"the model refused to answer ({first.problem})", "refused", records) from None
            budget = self.settings.max_tokens
            if first.kind == "truncated":
                budget = min(self.settings.max_tokens * 2, MAX_REPAIR_TOKENS)
            repair = self._params(request, budget, repair_note=_repair_note(first))
            msg = await self._send(reviewer, "repair", repair, records)
            try:
                return self._parse(msg), records
            except _Invalid as second:
                if second.kind == "truncated":
                    reason = f"answer cut off at max_tokens, also after one repair attempt ({second.problem})"
                elif second.kind == "refused":
                    reason = f"the model refused to answer ({second.problem})"
                else:
                    reason = f"invalid output after one repair attempt ({second.problem})"
                raise LlmError(reason, second.kind, records) from None

    async def warm(self, request: Request) -> list[CallRecord]:
        """Write the cacheable prefix of ``request`` (everything up to its last ``cache_control``
        breakpoint) with a one-token request, so that the reviewers started after it read the
        cache instead of each writing it (docs/llm-review.md, "Prompt caching").

        The request keeps the reviewers' model, system blocks, output format and effort (they
        are part of the cache key) and drops everything after the last breakpoint; its answer
        is ignored. Never raises: a failed warm-up only costs the cache reads.

        Returns:
            the call records (purpose ``"warmup"``).
        """
        records: list[CallRecord] = []
        user, last = list(request.user), None
        for i, block in enumerate(user):
            if "cache_control" in block:
                last = i
        prefix = user[: last + 1] if last is not None else user
        params = self._params(Request(request.system, prefix + [{"type": "text", "text": WARMUP_TEXT}]), 1)
        try:
            await self._send(WARMUP_REVIEWER, "warmup", params, records)
        except LlmError as exc:
            return exc.records
        return records

    # -- request -------------------------------------------------------------------------------

    def _params(self, request: Request, max_tokens: int, repair_note: str | None = None) -> dict:
        s = self.settings
        user = list(request.user)
        if repair_note:
            user.append({"type": "text", "text": repair_note})
        params: dict = {
            "model": s.model,
            "max_tokens": max_tokens,
            "system": request.system,
            "messages": [{"role": "user", "content": user}],
        }
        output_config: dict = {}
        if s.effort and supports_effort(s.model):
            output_config["effort"] = s.effort
        if s.output_mode == "tool":
            params["tools"] = [{
                "name": "record_findings",
                "description": "Record the review's findings. This is the only way to answer; it has no other effect.",
                "input_schema": ReviewerOutput.json_schema_for_api(),
            }]
            params["tool_choice"] = {"type": "tool", "name": "record_findings"}
        else:
            output_config["format"] = {"type": "json_schema", "schema": ReviewerOutput.json_schema_for_api()}
        if output_config:
            params["output_config"] = output_config
        return params

    async def _send(self, reviewer: str, purpose: str, params: dict, records: list[CallRecord]):
        """POST with bounded retries; returns the ``Message``.

        Raises:
            LlmError: not retryable, or retries exhausted.
        """
        import anthropic

        s = self.settings
        if self._fatal is not None:
            raise LlmError(self._fatal, "unavailable", records)
        size = len(json.dumps(params, ensure_ascii=False).encode("utf-8"))
        attempts = s.max_retries + 1
        made = 0  # attempts the server saw
        for attempt in range(attempts):
            limit = self._limit()
            if limit <= 0:
                raise LlmError(f"no answer within the review's time limit ({s.total_timeout:g} s, --llm-timeout) "
                               f"after {made} attempt{'s' * (made != 1)}", "unavailable", records)
            start = time.monotonic()
            wait: float | None = None
            status: int | None = None
            made += 1
            try:
                # the whole attempt, body included, within `limit` (httpx's timeout bounds each
                # read, not the response: one byte every 20 s would never end it)
                msg = await asyncio.wait_for(
                    self._client.messages.create(**params, extra_headers={REVIEWER_HEADER: reviewer}), limit)
                _check_message(msg)
            except (asyncio.TimeoutError, TimeoutError):
                reason = (f"request timed out (limit {limit:g} s)" if limit >= s.timeout
                          else f"request timed out (the review's time limit of {s.total_timeout:g} s)")
                records.append(CallRecord(reviewer, purpose, False, None, time.monotonic() - start, size, error=reason))
                retryable = True
            except anthropic.APIStatusError as exc:
                status = exc.status_code
                reason = _status_reason(exc, s)
                records.append(CallRecord(reviewer, purpose, False, status, time.monotonic() - start, size, error=reason))
                headers = exc.response.headers if exc.response is not None else {}
                retryable = (status in _RETRY_STATUS or status >= 500) and headers.get("x-should-retry") != "false"
                if retryable:
                    wait = _retry_after(headers)
            except anthropic.APITimeoutError:
                reason = f"request timed out (limit {s.timeout:g} s)"
                records.append(CallRecord(reviewer, purpose, False, None, time.monotonic() - start, size, error=reason))
                retryable = True
            except anthropic.APIConnectionError as exc:
                if _is_broken_body(exc):  # the server answered, then cut the body short
                    reason = f"invalid response from the API ({_cause(exc)})"
                    records.append(CallRecord(reviewer, purpose, False, 200, time.monotonic() - start, size,
                                              error=reason))
                else:
                    reason = f"cannot connect to {s.base_url or 'api.anthropic.com'} ({_cause(exc)})"
                    records.append(CallRecord(reviewer, purpose, False, None, time.monotonic() - start, size,
                                              error=reason))
                retryable = True
            except (ValueError, TypeError, KeyError, AttributeError, anthropic.APIResponseValidationError) as exc:
                # a 200 whose body is not JSON (JSONDecodeError is a ValueError), is cut short or
                # is not a message: retried like a 5xx
                detail = " ".join(str(exc).split())[:120] or type(exc).__name__
                reason = f"invalid response from the API ({type(exc).__name__}: {detail})"
                records.append(CallRecord(reviewer, purpose, False, 200, time.monotonic() - start, size, error=reason))
                retryable = True
            else:
                usage = msg.usage
                records.append(CallRecord(
                    reviewer, purpose, True, 200, time.monotonic() - start, size,
                    input_tokens=usage.input_tokens or 0, output_tokens=usage.output_tokens or 0,
                    cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
                    cache_read_input_tokens=usage.cache_read_input_tokens or 0,
                    stop_reason=msg.stop_reason, model=msg.model))
                return msg
            if not retryable:
                # the key, the model or the endpoint: every request fails alike; a warm-up is a
                # prefix of every reviewer's request, so its rejection is theirs too
                if status in _FATAL_STATUS or (purpose == "warmup" and status in (400, 413)):
                    self._fatal = reason
                raise LlmError(reason, "unavailable", records)
            if attempt == attempts - 1:
                raise LlmError(f"{reason} after {made} attempt{'s' * (made != 1)}", "unavailable", records)
            backoff = min(0.5 * 2 ** attempt, s.max_retry_wait) * (0.75 + random.random() / 4)
            pause = min(wait if wait is not None else backoff, s.max_retry_wait)
            if self._deadline is not None and pause >= self._deadline - time.monotonic():  # no time left after it
                raise LlmError(f"{reason} after {made} attempt{'s' * (made != 1)} (the review's time limit of "
                               f"{s.total_timeout:g} s leaves no time for another)", "unavailable", records)
            await self._sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _limit(self) -> float:
        """Seconds the next attempt may take: ``settings.timeout``, less when the review's
        deadline (``settings.total_timeout``) is nearer."""
        if self._deadline is None:
            return self.settings.timeout
        return min(self.settings.timeout, self._deadline - time.monotonic())

    # -- answer --------------------------------------------------------------------------------

    def _parse(self, msg) -> ReviewerOutput:
        if msg.stop_reason == "refusal":
            raise _Invalid("stop_reason refusal", "refused")
        truncated = msg.stop_reason == "max_tokens"
        try:
            if self.settings.output_mode == "tool":
                block = next((b for b in msg.content if getattr(b, "type", None) == "tool_use"), None)
                if block is None:
                    raise ValueError("the answer has no record_findings tool call")
                return ReviewerOutput.parse_lenient(block.input)
            text = "".join(b.text for b in msg.content if getattr(b, "type", None) == "text")
            if not text.strip():
                raise ValueError("the answer has no text")
            return ReviewerOutput.parse_lenient(text, truncated=truncated)
        except Exception as exc:  # ValueError, JSONDecodeError: unusable as a whole
            if truncated:
                raise _Invalid(f"stop_reason max_tokens: the answer was cut off at {msg.usage.output_tokens} "
                               f"output tokens", "truncated") from None
            raise _Invalid(describe_error(exc)) from None


def _check_message(msg) -> None:
    """Raise ``ValueError`` when ``msg``, a 200 answer, is not a Messages API message (a proxy
    or a broken server answering with HTML, a bare string or JSON of another shape)."""
    usage = getattr(msg, "usage", None)
    if getattr(msg, "content", None) is None or usage is None or not isinstance(getattr(usage, "input_tokens", 0), int):
        raise ValueError(f"not a message: {type(msg).__name__} {' '.join(str(msg).split())[:80]}")


def _is_broken_body(exc: BaseException) -> bool:
    """A connection error raised while reading an answer's body (a truncated response: the
    connection closed before ``content-length`` bytes, or an incomplete chunked body)."""
    cause = exc.__cause__ or exc.__context__
    name = type(cause).__name__ if cause is not None else ""
    return name in ("RemoteProtocolError", "ReadError", "IncompleteRead") and "peer closed" in str(cause).lower() \
        or "incomplete" in str(cause).lower()


def _repair_note(problem: _Invalid) -> str:
    if problem.kind == "truncated":
        return ("<repair>Your previous answer to this request was cut off before it was complete "
                f"({problem.problem}). Answer again with fewer, shorter findings so that the JSON "
                "object is complete.</repair>")
    return ("<repair>Your previous answer to this request was rejected because it did not match the "
            f"required JSON schema: {problem.problem}. Answer again with only a JSON object that matches "
            "the schema.</repair>")


def _retry_after(headers) -> float | None:
    """Seconds asked for by ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    try:
        return max(0.0, float(headers.get("retry-after-ms")) / 1000)
    except (TypeError, ValueError):
        pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _status_reason(exc, settings: ClientSettings) -> str:
    status = exc.status_code
    detail = getattr(exc, "api_message", None) or ""
    detail = f": {' '.join(str(detail).split())[:160]}" if detail else ""
    if status in (401, 403):
        return f"authentication failed (HTTP {status}){detail}; check ANTHROPIC_API_KEY"
    if status == 404:
        return f"not found (HTTP 404){detail}; check the model {settings.model!r} and the base URL"
    if status == 429:
        return "rate limited (HTTP 429)"
    if status == 529:
        return "API overloaded (HTTP 529)"
    if status >= 500:
        return f"API error (HTTP {status})"
    return f"request rejected (HTTP {status}){detail}"


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(cause) if cause is not None else str(exc)
    return " ".join(text.split())[:120] or type(exc).__name__
