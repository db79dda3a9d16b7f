"""Recording LLM cases through the Message Batches API (``--record --batch``): half the price
of individual calls, results within 24 hours (usually minutes).

How it works, for a set of cases:

1. **capture**: each case's review runs against an in-process HTTP transport
   (``httpx2.MockTransport``) that keeps every request the reviewers would send and answers
   it with an error, so nothing leaves the machine and the graph ends at once;
2. **batch**: the captured request bodies go to ``POST /v1/messages/batches`` (one batch,
   ``custom_id`` per request), polled until the batch has ended;
3. **cassettes**: each case whose every request succeeded gets a cassette holding its
   captured requests and the batch's answers, in the format vcrpy replays (with the usual
   metadata plus ``recorded_via: message-batches`` and the batch ID);
4. the cases are then **replayed** like any other (:func:`evals.llm.run_llm_set`).

Limits: a reviewer's one *repair* call (sent only when an answer is invalid or cut off)
depends on the first answer, so it cannot be part of the same batch; a case whose answer
needs a repair fails on replay ("the cassette does not answer every request") and should be
re-recorded without ``--batch``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from evals import replay

#: Seconds between polls of a running batch (doubling up to :data:`MAX_POLL`).
FIRST_POLL, MAX_POLL = 5.0, 60.0


@dataclass
class Captured:
    """The requests one case's review would send.

    Attributes:
        case_id: the case.
        requests: (method, url, headers, body bytes) in the order sent.
        error: why capturing failed, if it did.
    """

    case_id: str
    requests: list[tuple[str, str, dict, bytes]] = field(default_factory=list)
    error: str | None = None


def capture(case, corpus, model: str) -> Captured:
    """Run ``case``'s review against a transport that records the requests and answers each
    with HTTP 422 (so the graph stops without retrying; not 400, which on the warm-up would
    end the review before the reviewers send theirs)."""
    import httpx2

    from agent.review import LlmOptions, review_documents

    out = Captured(case.id)

    def handler(request):
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in replay.SCRUB_REQUEST_HEADERS}
        out.requests.append((request.method, str(request.url), headers, bytes(request.content)))
        return httpx2.Response(422, json={"type": "error", "error": {"type": "invalid_request_error",
                                                                     "message": "captured for a message batch"}})

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    options = LlmOptions(enabled=True, model=model, base_url="https://api.anthropic.com", api_key="sk-capture",
                         max_retries=0, http_client=client)
    try:
        review_documents([(case.doc, corpus.context(today=case.today))], options)
    except Exception as exc:  # noqa: BLE001 - reported per case
        out.error = f"{type(exc).__name__}: {exc}"
    if not out.requests and out.error is None:
        out.error = "the review sent no request (nothing for the LLM reviewers to do?)"
    return out


def record_batch(cases: list, corpus, settings, phash: str, *, client=None,
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] = lambda _: None) -> dict[str, str | None]:
    """Record ``cases`` through one message batch and write their cassettes.

    Args:
        cases: :class:`evals.llm.LlmCase` list (skipped cases excluded by the caller).
        corpus: the corpus (for check contexts).
        settings: :class:`evals.llm.LlmSettings` (model, cassette root, base URL).
        phash: the prompt hash (recorded in the metadata, informative).
        client: an ``anthropic.Anthropic`` client (tests); default: one from
            ``ANTHROPIC_API_KEY`` and ``settings.base_url``.
        sleep: how to wait between polls (tests).
        log: progress lines.

    Returns:
        case ID -> ``None`` when its cassette was written, else the reason it was not.
    """
    import anthropic
    import vcr.persisters.filesystem as fs
    import vcr.serializers.yamlserializer as yamlserializer
    from vcr.request import Request

    status: dict[str, str | None] = {}
    captured = []
    from evals.requestkey import _clear_caches

    _clear_caches()
    for case in cases:
        c = capture(case, corpus, settings.model)
        if c.error and not c.requests:
            status[case.id] = f"capture failed: {c.error}"
        else:
            captured.append((case, c))
    requests, owners = [], {}
    for i, (case, c) in enumerate(captured):
        for j, (_, _, _, body) in enumerate(c.requests):
            custom_id = f"c{i}-r{j}"
            owners[custom_id] = (i, j)
            requests.append({"custom_id": custom_id, "params": json.loads(body)})
    if not requests:
        return status
    client = client or anthropic.Anthropic(api_key=os.environ.get("ANTHROPIC_API_KEY") or "no-key-needed",
                                           base_url=settings.base_url)
    batch = client.messages.batches.create(requests=requests)
    log(f"message batch {batch.id}: {len(requests)} requests for {len(captured)} cases")
    wait = FIRST_POLL
    while batch.processing_status != "ended":
        sleep(wait)
        wait = min(wait * 2, MAX_POLL)
        batch = client.messages.batches.retrieve(batch.id)
        log(f"message batch {batch.id}: {batch.processing_status}")
    answers: dict[str, dict | str] = {}
    for item in client.messages.batches.results(batch.id):
        result = item.result
        if result.type == "succeeded":
            answers[item.custom_id] = result.message.model_dump(mode="json", exclude_none=True)
        else:
            answers[item.custom_id] = f"{result.type}: {getattr(getattr(result, 'error', None), 'error', '') or ''}"
    for i, (case, c) in enumerate(captured):
        got = [answers.get(f"c{i}-r{j}", "no result") for j in range(len(c.requests))]
        failed = [g for g in got if isinstance(g, str)]
        if failed:
            status[case.id] = f"batch request failed: {failed[0]}"
            continue
        reqs, resps = [], []
        for (method, url, headers, body), message in zip(c.requests, got, strict=True):
            reqs.append(Request(method, url, body, headers))
            resps.append({"status": {"code": 200, "message": "OK"}, "headers": {"content-type": ["application/json"]},
                          "body": {"string": json.dumps(message).encode()}})
        usage = {k: sum(int((m.get("usage") or {}).get(k) or 0) for m in got)
                 for k in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
        from evals import requestkey

        comps = requestkey.components(requestkey.from_requests(c.requests), settings.model)
        metadata = {"model": settings.model, "request_key": requestkey.key_of(comps), "components": comps,
                    "prompt_hash": phash, "prompt_files": replay.prompt_files(),
                    "case": case.id, "target": case.target, "synthetic": settings.synthetic,
                    "endpoint": settings.base_url or "https://api.anthropic.com",
                    "recorded_via": "message-batches", "batch_id": batch.id, "usage": usage,
                    "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        path = replay.cassette_path(settings.cassettes, settings.model, case.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        fs.FilesystemPersister.save_cassette(str(path), {"requests": reqs, "responses": resps, "metadata": metadata},
                                             serializer=yamlserializer)
        status[case.id] = None
    return status
