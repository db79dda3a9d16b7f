"""A local, fake Anthropic-compatible Messages endpoint: a **test double**, not a model.

It answers ``POST /v1/messages`` on 127.0.0.1 (random port) after a configurable delay, with
*synthetic* findings built mechanically from the request: quotes are lines copied from the VEP in
the request's ``<vep_document>`` block (so the findings verify), and the texts say ``[synthetic]``.
Nothing it returns is model output or a measure of review quality. It exists for the benchmarks
(``benchmarks/bench_review.py``, ``benchmarks/bench_review_cost.py``), for end-to-end tests of
``vep-review review --base-url``, and for trying the CLI without a key.

Modes (combinable):

- **plain** (default): one finding per reviewer.
- **chatty** (``chatty=N``): every reviewer fills its ``findings`` array with ``N`` distinct
  findings, each quoting a different VEP line verbatim (with a ``<vep_change>`` block, half of
  them quote added lines of the diff), categories cycling through all categories, confidences from
  0.9 down to 0.3, plausible but content-free texts (some of them generic), and self-check fields
  claiming every finding is fine: the worst case for the report's volume.
- **cache-aware** (always): prompt caching as the API does it, per ``cache_control`` breakpoint:
  the cache key of a breakpoint is the model, tools, output format and every block up to it; the
  longest cached prefix is read (``cache_read_input_tokens``), the rest up to the last breakpoint
  written (``cache_creation_input_tokens``); prefixes under ``min_cache_tokens`` are not cached.
  A written prefix can be read once the writing request's prefill is done (split latency; at
  once with flat latency), so requests sent at the same moment each write it.
  :meth:`FakeAnthropic.reset_cache` empties it. Tokens are estimated at 4 characters a token.
- **split latency** (``latency="split"``): the answer time models prefill and output apart: a
  full call (uncached prompt, answer of ``full_output_tokens`` or more) takes ``delay``; prefill
  is ``prefill_share`` of it, scaled by the uncached share of the input; output is the rest,
  scaled by the answer's length. So a one-token request answers in a quarter of a full call.
  ``latency="flat"`` (default): every answer after ``delay``.
- **broken** (scripted per reviewer, header ``x-vep-review-reviewer``): a list of steps, each an
  HTTP status (``429``, ``529``, ``500``, ``401``…, with the API's error type), ``"invalid"`` (an answer whose one item is not the
  schema), ``"one_invalid"`` (valid findings plus one whose quote is too long), ``"garbage"`` (no
  JSON at all), ``"empty"`` (no finding), ``"max_tokens"`` (a cut-off answer), ``"unverifiable"`` (a finding whose quote is
  not in the VEP), ``"hang"`` (answer after ``hang_seconds``) or ``"ok"``; after the script, ``"ok"``.

A request with ``max_tokens`` 1 (the cache warm-up) gets a one-token answer.

Bounded: it serves at most ``max_requests`` requests and stops by itself after ``lifetime``
seconds. Usage::

    with FakeAnthropic(delay=0.5) as server:
        run_review(paths, CheckOptions(), LlmOptions(base_url=server.url, api_key="test"))

or ``python -m agent.llm.fake_server --delay 1 --chatty 8`` to run one in the foreground.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: How every text of the fake server's findings begins (the evals label such answers SYNTHETIC).
MARK = "[synthetic]"
_DOC_RE = re.compile(r"<vep_document[^>]*>\n(.*?)\n</vep_document>", re.S)
_CATEGORY = {"design_gaps": "upgrade-rollback", "cross_sig": "cross-sig", "feature_gate": "feature-gate"}


def _tokens(text: str) -> int:
    """A rough token count (4 characters a token): the fake server has no tokenizer."""
    return max(1, len(text) // 4)


def _quote_lines(doc: str) -> list[str]:
    """Prose lines of the document, usable as quotes (front matter, headings, code and short
    lines skipped)."""
    out, in_fm, in_code = [], False, False
    for i, line in enumerate(doc.split("\n")):
        s = line.strip()
        if i == 0 and s == "---":
            in_fm = True
            continue
        if in_fm:
            in_fm = s != "---"
            continue
        if s.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not s or s.startswith(("#", "|", "<", "[")) or len(s) < 40:
            continue
        out.append(" ".join(s.lstrip("-*> ").split()))
    return out


_CATEGORIES = ("upgrade-rollback", "scalability-performance", "api", "testing", "alternatives", "scope-goals",
               "security", "cross-sig", "feature-gate", "lifecycle-graduation", "template", "other")
_CONFIDENCES = (0.9, 0.8, 0.75, 0.7, 0.6, 0.55, 0.45, 0.3)
_ADDED_RE = re.compile(r"^\+(?!\+\+ )(.*)$", re.M)


def _request_text(body: dict) -> str:
    user = body.get("messages", [{}])[-1].get("content", [])
    return "\n".join(b.get("text", "") for b in user if isinstance(b, dict)) if isinstance(user, list) else str(user)


def _short(line: str, limit: int = 120) -> str:
    return line[:limit].rsplit(" ", 1)[0] if len(line) > limit else line


def chatty_answer(body: dict, reviewer: str, n: int) -> dict:
    """``n`` distinct synthetic findings for one reviewer (see the module docstring, "chatty")."""
    text = _request_text(body)
    m = _DOC_RE.search(text)
    lines = _quote_lines(m.group(1) if m else "")
    if not lines:
        return {"findings": []}
    change = re.search(r"<vep_change>(.*?)</vep_change>", text, re.S)
    added = _quote_lines("\n".join(_ADDED_RE.findall(change.group(1)))) if change else []
    index = {"design_gaps": 0, "cross_sig": 1, "feature_gate": 2}.get(reviewer, 3)
    out = []
    for i in range(n):
        pool = added if added and i % 2 == 0 else lines
        quote = _short(pool[(index * 7 + i * max(1, len(pool) // n)) % len(pool)])
        words = " ".join(quote.split()[:5])
        generic = i % 4 == 3
        out.append({
            "quote": quote,
            "section": None,
            "category": _CATEGORIES[(index * 3 + i) % len(_CATEGORIES)],
            "severity": "warning" if i % 2 == 0 else "info",
            "concern": (f"{MARK} More detail would help." if generic
                        else f"{MARK} The passage \u201c{words}\u201d leaves a question open."),
            "suggestion": (f"{MARK} Add more detail." if generic
                           else f"{MARK} Say more about \u201c{words}\u201d."),
            "confidence": _CONFIDENCES[i % len(_CONFIDENCES)],
            "sig": "sig-storage" if reviewer == "cross_sig" else None,
            "answered_in": None, "fits_any_vep": False, "quote_supports": True, "conflicts_with": None,
        })
    return {"findings": out}


def synthetic_answer(body: dict, reviewer: str, unverifiable: bool = False) -> dict:
    """The JSON answer (``{"findings": [...]}``) for one request."""
    text = _request_text(body)
    m = _DOC_RE.search(text)
    lines = _quote_lines(m.group(1) if m else "")
    if not lines:
        return {"findings": []}
    index = {"design_gaps": 0, "cross_sig": 1, "feature_gate": 2}.get(reviewer, 0)
    quote = _short(lines[min(index * max(1, len(lines) // 3), len(lines) - 1)])
    if unverifiable:
        quote = "This sentence does not appear anywhere in the VEP under review."
    return {"findings": [{
        "quote": quote,
        "section": None,
        "category": _CATEGORY.get(reviewer, "other"),
        "severity": "info",
        "concern": f"{MARK} Fake-server finding for the {reviewer} reviewer about \u201c{' '.join(quote.split()[:5])}\u201d; "
                   "not a real review.",
        "suggestion": "Ignore this synthetic finding: it comes from the local test server.",
        "confidence": 0.5,
        "sig": "sig-storage" if reviewer == "cross_sig" else None,
    }]}


class FakeAnthropic:
    """The server (see the module docstring).

    Args:
        delay: seconds before each answer (``latency="split"``: of a full call).
        script: reviewer -> list of steps.
        max_requests: requests served before it refuses more (HTTP 503).
        lifetime: seconds after :meth:`start` at which it stops by itself.
        hang_seconds: the delay of a ``"hang"`` step.
        chatty: findings per answer in chatty mode (0: plain mode).
        latency: ``"flat"`` or ``"split"`` (prefill and output apart).
        prefill_share: share of ``delay`` that is prefill of an uncached prompt (split latency).
        full_output_tokens: answer length that takes the whole output share (split latency).
        min_cache_tokens: shortest cacheable prefix, in tokens (the API's minimum for Sonnet).

    Attributes:
        url: ``http://127.0.0.1:<port>`` once started.
        requests: one dict per request: reviewer, bytes, start, end (``time.monotonic``), status,
            and for answered requests the usage figures it reported (input_tokens, output_tokens,
            cache_creation_input_tokens, cache_read_input_tokens), max_tokens and the answer text.
    """

    def __init__(self, delay: float = 0.0, script: dict[str, list] | None = None, max_requests: int = 500,
                 lifetime: float = 300.0, hang_seconds: float = 5.0, chatty: int = 0, latency: str = "flat",
                 prefill_share: float = 0.25, full_output_tokens: int = 400, min_cache_tokens: int = 1024):
        self.chatty = chatty
        self.latency = latency
        self.prefill_share = prefill_share
        self.full_output_tokens = full_output_tokens
        self.min_cache_tokens = min_cache_tokens
        self.delay = delay
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.hang_seconds = hang_seconds
        self.requests: list[dict] = []
        self.url = ""
        self._lock = threading.Lock()
        self._cached: dict[str, float] = {}  # prefix digest -> time.monotonic() from which it can be read
        self._server: ThreadingHTTPServer | None = None
        self._timer: threading.Timer | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving in a background thread; returns :attr:`url`."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, name="fake-anthropic", daemon=True).start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self.url

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        server, self._server = self._server, None
        if self._timer is not None:
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FakeAnthropic:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset_cache(self) -> None:
        """Forget every cached prefix (a cold cache, as after the cache lifetime)."""
        with self._lock:
            self._cached.clear()

    def _cache(self, body: dict) -> tuple[int, int, int]:
        """(uncached input tokens, cache write tokens, cache read tokens) of a request; records
        the prefixes it writes."""
        head = json.dumps({"model": body.get("model"), "tools": body.get("tools"),
                           "format": (body.get("output_config") or {}).get("format"),
                           "tool_choice": body.get("tool_choice")}, sort_keys=True)
        system = body.get("system") or []
        blocks = list(system) if isinstance(system, list) else [{"type": "text", "text": str(system)}]
        for message in body.get("messages") or []:
            content = message.get("content")
            blocks += content if isinstance(content, list) else [{"type": "text", "text": str(content)}]
        digest, total, prefixes = hashlib.sha256(head.encode()), _tokens(head), []
        for block in blocks:
            text = block.get("text", "") if isinstance(block, dict) else str(block)
            digest.update(b"\x00" + text.encode("utf-8", "replace"))
            total += _tokens(text)
            if isinstance(block, dict) and block.get("cache_control"):
                prefixes.append((digest.hexdigest(), total))
        read = written = 0
        now = time.monotonic()
        with self._lock:
            hits = [t for d, t in prefixes if self._cached.get(d, float("inf")) <= now]
            read = max(hits, default=0)
            last = prefixes[-1] if prefixes else None
            if last is not None and last[1] > read and last[1] >= self.min_cache_tokens:
                written = last[1] - read
            uncached = max(1, total - read - written)
            # a written prefix becomes readable once this request's prefill is done (the API
            # caches it as the model starts answering): requests sent at the same moment all write
            ready = now + self._prefill_seconds(uncached, written, read)
            for d, t in prefixes:
                if t >= self.min_cache_tokens and d not in self._cached:
                    self._cached[d] = ready
        return uncached, written, read

    def _prefill_seconds(self, uncached: int, written: int, read: int) -> float:
        if self.latency != "split":
            return 0.0
        return self.delay * self.prefill_share * (uncached + written) / max(1, uncached + written + read)

    def _answer_seconds(self, step, uncached: int, written: int, read: int, output_tokens: int) -> float:
        if step == "hang":
            return self.hang_seconds
        if self.latency != "split":
            return self.delay
        prefill = self._prefill_seconds(uncached, written, read)
        output = self.delay * (1 - self.prefill_share) * min(1.0, output_tokens / self.full_output_tokens)
        return prefill + output

    # -- one request -------------------------------------------------------------------------

    def _next_step(self, reviewer: str):
        with self._lock:
            steps = self.script.get(reviewer)
            return steps.pop(0) if steps else "ok"

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        start = time.monotonic()
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length)
        reviewer = h.headers.get("x-vep-review-reviewer", "unknown")
        record = {"reviewer": reviewer, "bytes": len(raw), "start": start}
        with self._lock:
            self.requests.append(record)
            over = len(self.requests) > self.max_requests
        if over or h.path.split("?")[0] != "/v1/messages":
            record["status"] = 503 if over else 404
            return self._send(h, record["status"], {"type": "error", "error": {"type": "api_error", "message": "unavailable"}})
        step = self._next_step(reviewer)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            record["status"] = 400
            return self._send(h, 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad JSON"}})
        if isinstance(step, int):
            time.sleep(self.delay if self.latency != "split" else self.delay * self.prefill_share)
            kind = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                    404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
                    529: "overloaded_error"}.get(step, "api_error")
            headers = {"retry-after": "1"} if step == 429 else {}
            record["status"] = step
            record["end"] = time.monotonic()
            return self._send(h, step, {"type": "error", "error": {"type": kind, "message": kind}}, headers)
        if self.chatty and step in ("ok", "hang"):
            answer = chatty_answer(body, reviewer, self.chatty)
        else:
            answer = synthetic_answer(body, reviewer, unverifiable=step == "unverifiable")
        if step == "empty":
            answer = {"findings": []}
        if step == "one_invalid":
            answer = chatty_answer(body, reviewer, 3)
            bad = dict(answer["findings"][0], quote="x" * 500)
            answer["findings"].insert(1, bad)
        text = json.dumps(answer)
        stop_reason = "end_turn"
        if step == "invalid":
            text = '{"findings": [{"quote": 42}]}'
        elif step == "garbage":
            text = "I cannot produce the requested JSON for this document."
        elif step == "max_tokens":
            text, stop_reason = text[: len(text) // 2], "max_tokens"
        if int(body.get("max_tokens") or 0) <= 1:
            text, stop_reason = "{", "max_tokens"
        uncached, written, read = self._cache(body)
        usage = {"input_tokens": uncached, "output_tokens": _tokens(text),
                 "cache_creation_input_tokens": written, "cache_read_input_tokens": read}
        time.sleep(self._answer_seconds(step, uncached, written, read, usage["output_tokens"]))
        if body.get("tools"):
            try:
                tool_input = json.loads(text)
            except ValueError:
                tool_input = {"findings": "cut"}
            content = [{"type": "tool_use", "id": "toolu_fake", "name": body["tools"][0]["name"], "input": tool_input}]
            stop_reason = "tool_use" if stop_reason == "end_turn" else stop_reason
        else:
            content = [{"type": "text", "text": text}]
        message = {"id": f"msg_fake_{len(self.requests)}", "type": "message", "role": "assistant",
                   "model": body.get("model", "fake"), "content": content, "stop_reason": stop_reason,
                   "stop_sequence": None, "usage": usage}
        record.update(usage, status=200, end=time.monotonic(), max_tokens=body.get("max_tokens"), answer=text)
        self._send(h, 200, message)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            h.send_response(status)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", str(len(data)))
            h.send_header("request-id", "req_fake")
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - manual use
    """Run a fake server in the foreground until Ctrl-C or ``--lifetime`` seconds."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m agent.llm.fake_server", description="Fake Anthropic-compatible server (synthetic answers).")
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--lifetime", type=float, default=600.0)
    parser.add_argument("--chatty", type=int, default=0, help="findings per answer (chatty mode)")
    parser.add_argument("--latency", choices=["flat", "split"], default="flat")
    args = parser.parse_args(argv)
    server = FakeAnthropic(delay=args.delay, lifetime=args.lifetime, chatty=args.chatty, latency=args.latency)
    print(f"ANTHROPIC_BASE_URL={server.start()}  (synthetic answers; stops after {args.lifetime:g} s)", flush=True)
    try:
        while server._server is not None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
