"""A local, fake Anthropic-compatible Messages endpoint: a **test double**, not a model.

It answers ``POST /v1/messages`` on 127.0.0.1 (random port) after a configurable delay, with
*synthetic* findings built mechanically from the request: each reviewer gets one finding whose
quote is a line copied from the VEP in the request's ``<vep_document>`` block (so the findings
verify), and whose texts say ``[synthetic]``. Nothing it returns is model output or a measure of
review quality. It exists for the benchmark (``benchmarks/bench_review.py``: are the reviewers
really parallel?), for end-to-end tests of ``vep-review review --base-url``, and for trying the
CLI without a key.

It can be scripted per reviewer (header ``x-vep-review-reviewer``): a list of steps, each an HTTP
status (``429``, ``529``, ``500``), ``"invalid"`` (an answer that is not the schema),
``"max_tokens"`` (a cut-off answer), ``"unverifiable"`` (a finding whose quote is not in the VEP),
``"hang"`` (answer after ``hang_seconds``) or ``"ok"``; after the script, ``"ok"``.

It reports prompt-cache figures the way the API does: the first request carrying a given first
system block "writes" it (``cache_creation_input_tokens``), later ones "read" it.

Bounded: it serves at most ``max_requests`` requests and stops by itself after ``lifetime``
seconds. Usage::

    with FakeAnthropic(delay=0.5) as server:
        run_review(paths, CheckOptions(), LlmOptions(base_url=server.url, api_key="test"))

or ``python -m agent.llm.fake_server --delay 1`` to run one in the foreground.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def synthetic_answer(body: dict, reviewer: str, unverifiable: bool = False) -> dict:
    """The JSON answer (``{"findings": [...]}``) for one request."""
    user = body.get("messages", [{}])[-1].get("content", [])
    text = "\n".join(b.get("text", "") for b in user if isinstance(b, dict)) if isinstance(user, list) else str(user)
    m = _DOC_RE.search(text)
    lines = _quote_lines(m.group(1) if m else "")
    if not lines:
        return {"findings": []}
    index = {"design_gaps": 0, "cross_sig": 1, "feature_gate": 2}.get(reviewer, 0)
    line = lines[min(index * max(1, len(lines) // 3), len(lines) - 1)]
    quote = line[:120].rsplit(" ", 1)[0] if len(line) > 120 else line
    if unverifiable:
        quote = "This sentence does not appear anywhere in the VEP under review."
    return {"findings": [{
        "quote": quote,
        "section": None,
        "category": _CATEGORY.get(reviewer, "other"),
        "severity": "info",
        "concern": f"[synthetic] Fake-server finding for the {reviewer} reviewer; not a real review.",
        "suggestion": "Ignore this synthetic finding: it comes from the local test server.",
        "confidence": 0.5,
        "sig": "sig-storage" if reviewer == "cross_sig" else None,
    }]}


class FakeAnthropic:
    """The server (see the module docstring).

    Args:
        delay: seconds before each answer.
        script: reviewer -> list of steps.
        max_requests: requests served before it refuses more (HTTP 503).
        lifetime: seconds after :meth:`start` at which it stops by itself.
        hang_seconds: the delay of a ``"hang"`` step.

    Attributes:
        url: ``http://127.0.0.1:<port>`` once started.
        requests: one dict per request: reviewer, bytes, start, end (``time.monotonic``), status.
    """

    def __init__(self, delay: float = 0.0, script: dict[str, list] | None = None, max_requests: int = 500,
                 lifetime: float = 300.0, hang_seconds: float = 5.0):
        self.delay = delay
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.hang_seconds = hang_seconds
        self.requests: list[dict] = []
        self.url = ""
        self._lock = threading.Lock()
        self._cached: set[str] = set()
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
        time.sleep(self.hang_seconds if step == "hang" else self.delay)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            record["status"] = 400
            return self._send(h, 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad JSON"}})
        if isinstance(step, int):
            kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(step, "api_error")
            headers = {"retry-after": "1"} if step == 429 else {}
            record["status"] = step
            record["end"] = time.monotonic()
            return self._send(h, step, {"type": "error", "error": {"type": kind, "message": kind}}, headers)
        answer = synthetic_answer(body, reviewer, unverifiable=step == "unverifiable")
        text = json.dumps(answer)
        stop_reason = "end_turn"
        if step == "invalid":
            text = '{"findings": [{"quote": 42}]}'
        elif step == "max_tokens":
            text, stop_reason = text[: len(text) // 2], "max_tokens"
        system = body.get("system") or []
        first = system[0].get("text", "") if isinstance(system, list) and system and isinstance(system[0], dict) else str(system)
        digest = hashlib.sha256(first.encode()).hexdigest()
        with self._lock:
            hit = digest in self._cached
            self._cached.add(digest)
        cached_tokens = _tokens(first)
        usage = {"input_tokens": max(1, _tokens(raw.decode("utf-8", "replace")) - cached_tokens),
                 "output_tokens": _tokens(text),
                 "cache_creation_input_tokens": 0 if hit else cached_tokens,
                 "cache_read_input_tokens": cached_tokens if hit else 0}
        if body.get("tools"):
            content = [{"type": "tool_use", "id": "toolu_fake", "name": body["tools"][0]["name"],
                        "input": json.loads(text) if step != "max_tokens" and step != "invalid" else {"findings": "cut"}}]
            stop_reason = "tool_use" if stop_reason == "end_turn" else stop_reason
        else:
            content = [{"type": "text", "text": text}]
        message = {"id": f"msg_fake_{len(self.requests)}", "type": "message", "role": "assistant",
                   "model": body.get("model", "fake"), "content": content, "stop_reason": stop_reason,
                   "stop_sequence": None, "usage": usage}
        record["status"] = 200
        record["end"] = time.monotonic()
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
    args = parser.parse_args(argv)
    server = FakeAnthropic(delay=args.delay, lifetime=args.lifetime)
    print(f"ANTHROPIC_BASE_URL={server.start()}  (synthetic answers; stops after {args.lifetime:g} s)", flush=True)
    try:
        while server._server is not None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
