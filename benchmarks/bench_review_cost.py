"""Benchmark of the LLM review's input-token cost, calls and model latency per VEP (issue 10).

Starts agent.llm.fake_server.FakeAnthropic on 127.0.0.1 in its cache-aware, split-latency and
chatty modes: it caches prompt prefixes per ``cache_control`` breakpoint as the API does (the
model, tools and output format are part of the key), answers a full call in ``--delay`` seconds
of which a quarter is prefill of an uncached prompt (so a one-token request answers in a quarter
of a call) and the rest is output scaled by the answer's length, and fills every reviewer's
findings array with ``--chatty`` synthetic findings. The answers are synthetic: this measures
request layout, caching and orchestration, never review quality.

For each of five corpus VEPs, with a COLD cache (emptied before each VEP: the first review after
the cache lifetime, the case the issue measured) it reports:

- **input cost** at list prices (agent/llm/pricing.py: claude-sonnet-5-5, $2 per million input
  tokens, cache writes 1.25x, cache reads 0.1x): uncached input + writes + reads, as the server
  reported them; and what the same tokens cost with no caching at all;
- **calls** per VEP (warm-up and repairs included);
- **model latency**: the review's wall time with ``--delay`` minus its wall time with no delay,
  in units of one call's delay (target <= 2.5);
- the LLM findings reported and the candidates they were chosen from.

Variants (``--variants``):

- ``default``: the shipped configuration (cache warm-up before two or more parallel reviewers,
  self-check inside the reviewer call);
- ``no-warmup``: the reviewers start at once and each writes the VEP prefix;
- ``check-call-same``, ``check-call-other``: ``default`` plus one separate checking request as a
  checking-pass call would send it (the cached prefix, then the candidates and a checking task;
  ``same``: with the reviewers' output format, so the prefix is read from the cache; ``other``:
  with its own verdict schema, which changes the cache key). Only the request is simulated, to
  measure what such a call costs; its answer is not used.

``--code DIR`` reviews with the vep-review code in DIR (e.g. an older commit unpacked with
``git archive``; only ``default`` then), to measure a baseline with the same server.

Usage: python benchmarks/bench_review_cost.py [--delay 2.0] [--chatty 8] [--variants default,no-warmup]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements"
VEPS = ("veps/sig-network/307-vhostuser-binding-plugin/vep.md", "veps/sig-storage/90-utility-volumes/vep.md",
        "veps/sig-compute/250-vmi-serviceaccountname/vep.md", "veps/sig-compute/172-cross-arch-virtualization/vep.md",
        "veps/sig-network/21-passt/vep.md")
MODEL = "claude-sonnet-5-5"
TARGET_COST, TARGET_CALLS, TARGET_LATENCY = 0.045, 4, 2.5
CHECK_TASK = ("<check_task>For each candidate finding below, judge it against the whole VEP: is it already "
              "answered elsewhere, would it fit any VEP, does its quote support it? Keep or drop each, with a "
              "confidence.</check_task>")
VERDICT_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["verdicts"], "properties": {
    "verdicts": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                            "required": ["id", "keep", "confidence"],
                                            "properties": {"id": {"type": "integer"}, "keep": {"type": "boolean"},
                                                           "confidence": {"type": "number"}}}}}}


def load_fake_server():
    """agent/llm/fake_server.py of this checkout, loaded by path (it imports nothing of agent), so
    that ``--code`` can review with other code against the same server."""
    spec = importlib.util.spec_from_file_location("bench_fake_server", ROOT / "agent" / "llm" / "fake_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Capture:
    """An httpx2.AsyncClient factory that keeps the JSON bodies sent (to rebuild a checking request)."""

    def __init__(self):
        self.bodies: list[dict] = []

    def client(self):
        import httpx2

        async def hook(request):
            self.bodies.append(json.loads(request.content or b"{}"))

        return httpx2.AsyncClient(event_hooks={"request": [hook]}, timeout=60)


def check_request(server, bodies: list[dict], answers: list[str], same_schema: bool) -> float:
    """Send the checking request a separate checking call would make; returns its seconds."""
    review = next(b for b in bodies if b.get("max_tokens", 0) > 1)
    user = review["messages"][0]["content"]
    prefix = [b for b in user if "cache_control" in b]
    candidates = []
    for text in answers:
        try:
            candidates += json.loads(text).get("findings", [])
        except (ValueError, AttributeError):
            pass
    listing = "<candidates>\n" + "\n".join(json.dumps({"id": i, **c}) for i, c in enumerate(candidates)) + "\n</candidates>"
    body = dict(review, max_tokens=2000, messages=[{"role": "user", "content": prefix + [
        {"type": "text", "text": CHECK_TASK + "\n" + listing}]}])
    if not same_schema:
        body["output_config"] = dict(body.get("output_config") or {}, format={"type": "json_schema", "schema": VERDICT_SCHEMA})
    req = urllib.request.Request(server.url + "/v1/messages", data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json", "x-vep-review-reviewer": "check"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        resp.read()
    return time.perf_counter() - start


def review_once(path: Path, server, delay: float, variant: str, new_code: bool):
    """One cold-cache review of ``path``; returns (wall seconds, report, this run's server records)."""
    from agent.engine import CheckOptions
    from agent.review import LlmOptions, load_items, review_documents

    entries, _, _ = load_items([str(path)], CheckOptions())
    items = [e for e in entries if isinstance(e, tuple)]
    capture = Capture()
    kwargs = dict(base_url=server.url, api_key="bench", model=MODEL, max_retries=0, timeout=max(30.0, delay * 4))
    if new_code:
        kwargs["http_client"] = capture.client()
        if variant == "no-warmup":
            kwargs["warmup"] = False
    server.reset_cache()
    server.delay = delay
    before = len(server.requests)
    start = time.perf_counter()
    report = review_documents(items, LlmOptions(**kwargs))
    wall = time.perf_counter() - start
    if variant.startswith("check-call"):
        answers = [r.get("answer", "") for r in server.requests[before:] if r.get("max_tokens", 0) > 1]
        wall += check_request(server, capture.bodies, answers, same_schema=variant.endswith("same"))
    return wall, report, server.requests[before:]


def cost(reqs: list[dict]) -> tuple[float, float]:
    """(input cost with caching, the same tokens with no caching) in USD at list prices."""
    from agent.llm.pricing import CACHE_READ_FACTOR, CACHE_WRITE_FACTOR, price_of

    price = price_of(MODEL)[0] / 1e6
    uncached = sum(r.get("input_tokens", 0) for r in reqs)
    write = sum(r.get("cache_creation_input_tokens", 0) for r in reqs)
    read = sum(r.get("cache_read_input_tokens", 0) for r in reqs)
    return ((uncached + write * CACHE_WRITE_FACTOR + read * CACHE_READ_FACTOR) * price,
            (uncached + write + read) * price)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=2.0, help="seconds of one full call at the fake server")
    parser.add_argument("--chatty", type=int, default=8, help="synthetic findings per reviewer answer")
    parser.add_argument("--variants", default="default,no-warmup,check-call-same,check-call-other")
    parser.add_argument("--code", help="review with the vep-review code in this directory (baseline)")
    args = parser.parse_args(argv)
    os.environ.pop("LANGSMITH_TRACING", None)
    new_code = args.code is None
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
        variants = ["default"]
    else:
        sys.path.insert(0, str(ROOT))
        variants = [v.strip() for v in args.variants.split(",") if v.strip()]

    fake = load_fake_server()
    paths = [CORPUS / p for p in VEPS if (CORPUS / p).exists()]
    if not paths:
        print(f"no corpus at {CORPUS}: nothing to measure")
        return 1
    results: dict[str, list[tuple]] = {}
    with fake.FakeAnthropic(delay=args.delay, max_requests=2000, lifetime=900.0, latency="split",
                            chatty=args.chatty) as server:
        review_once(paths[0], server, 0.0, "default", new_code)  # warm-up: imports, pattern compilation
        for variant in variants:
            rows = []
            for path in paths:
                wall0, _, _ = review_once(path, server, 0.0, variant, new_code)
                wall, report, reqs = review_once(path, server, args.delay, variant, new_code)
                cached, flat = cost(reqs)
                ok = [r for r in reqs if r.get("status") == 200]
                u = report.usage
                rows.append((path.parent.name, cached, flat, len(reqs),
                             sum(1 for r in ok if r.get("cache_creation_input_tokens")),
                             sum(1 for r in ok if r.get("cache_read_input_tokens")),
                             (wall - wall0) / args.delay if args.delay else 0.0,
                             u.get("llm_findings", sum(1 for f in report.findings if f.origin == "llm")),
                             u.get("candidates", "?")))
            results[variant] = rows

    lines = [f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; fake server: delay {args.delay:g} s "
             f"per full call (prefill a quarter), {args.chatty} synthetic findings per answer, cold cache per VEP; "
             f"prices of {MODEL}." + (f" Code: {args.code}." if args.code else ""), ""]
    ok = True
    for variant, rows in results.items():
        lines += [f"### {variant}", "",
                  "| VEP | input cost (USD) | no caching (USD) | calls | cache writes / reads | model latency (x delay) | LLM findings / candidates |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {n} | {c:.4f} | {f:.4f} | {k} | {w} / {r} | {lat:.2f} | {kept} / {cand} |"
                  for n, c, f, k, w, r, lat, kept, cand in rows]
        med = statistics.median(r[1] for r in rows)
        med_flat = statistics.median(r[2] for r in rows)
        calls, lat = max(r[3] for r in rows), max(r[6] for r in rows)
        met = med <= TARGET_COST and calls <= TARGET_CALLS and lat <= TARGET_LATENCY
        if variant == "default":
            ok = met
        lines += ["", f"Median input cost ${med:.4f} (no caching ${med_flat:.4f}, ratio {med / med_flat:.2f}); "
                      f"at most {calls} calls; model latency at most {lat:.2f}x one call. Targets (<= ${TARGET_COST}, "
                      f"<= {TARGET_CALLS} calls, <= {TARGET_LATENCY}x): {'met' if met else 'NOT met'}.", ""]
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
