"""Benchmark of `vep-review review` against a local fake Anthropic-compatible server.

Starts agent.llm.fake_server.FakeAnthropic on 127.0.0.1 (random port; it answers every request
after --delay seconds with synthetic findings, serves at most 200 requests and stops by itself
after 120 s), then reviews real corpus VEPs one at a time and reports, per VEP:

- the review's wall time against its critical path (the cache warm-up, when there is one, plus the
  slowest reviewer call): the reviewers run in parallel, so the review should take about as long
  as that path (target: within 1.2x); the cost side is benchmarks/bench_review_cost.py;
- calls per VEP (target: at most 4: a warm-up, then two or three reviewers);
- request sizes (bytes of JSON sent per call: the shared prompt prefix, the VEP, the evidence).

One-time costs (importing anthropic and langgraph, compiling the SIG-area patterns) are paid in
a warm-up run first: they are start-up, not review, time. The answers are synthetic: this
measures orchestration, not a model.

Usage: python benchmarks/bench_review.py [--delay 2.0] [--veps N] [--runs 3]

A real model call takes several seconds; the default delay of 2 s is shorter than any, so the
fixed costs of a review (deterministic checks, pre-passes, verification, client set-up) weigh
more here than they will in use.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements"
DEFAULT_VEPS = ("veps/sig-network/307-vhostuser-binding-plugin/vep.md", "veps/sig-storage/90-utility-volumes/vep.md",
                "veps/sig-compute/250-vmi-serviceaccountname/vep.md", "veps/sig-compute/172-cross-arch-virtualization/vep.md")
EXAMPLE = ROOT / "examples/veps/sig-compute/4242-vcpu-hotplug-ceiling/vep.md"


def review_once(path: Path, server, delay: float):
    """Review one file; returns (wall seconds, report, this run's server records)."""
    from agent.engine import CheckOptions
    from agent.review import LlmOptions, load_items, review_documents

    entries, _, _ = load_items([str(path)], CheckOptions())
    items = [e for e in entries if isinstance(e, tuple)]
    before = len(server.requests)
    start = time.perf_counter()
    report = review_documents(items, LlmOptions(base_url=server.url, api_key="bench", max_retries=0,
                                                timeout=max(30.0, delay * 4)))
    wall = time.perf_counter() - start
    return wall, report, server.requests[before:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=2.0, help="seconds the fake server takes per answer")
    parser.add_argument("--veps", type=int, default=len(DEFAULT_VEPS), help="how many corpus VEPs to review")
    parser.add_argument("--runs", type=int, default=3, help="runs per VEP (median reported)")
    args = parser.parse_args(argv)
    os.environ.pop("LANGSMITH_TRACING", None)

    from agent.llm.fake_server import FakeAnthropic

    paths = [CORPUS / p for p in DEFAULT_VEPS[: args.veps] if (CORPUS / p).exists()] or [EXAMPLE]
    rows, ok = [], True
    with FakeAnthropic(delay=args.delay, max_requests=200, lifetime=120.0) as server:
        review_once(paths[0], server, args.delay)  # warm-up: imports, pattern compilation
        for path in paths:
            walls, slowest, calls, sizes, status = [], [], [], [], ""
            for _ in range(args.runs):
                wall, report, reqs = review_once(path, server, args.delay)
                walls.append(wall)
                warm = [r["end"] - r["start"] for r in reqs if r["reviewer"] == "warmup"]
                slowest.append(sum(warm) + max(r["end"] - r["start"] for r in reqs if r["reviewer"] != "warmup"))
                calls.append(len(reqs))
                sizes += [r["bytes"] for r in reqs]
                status = report.llm_status
            wall, slow = statistics.median(walls), statistics.median(slowest)
            ratio = wall / slow
            ok &= ratio <= 1.2 and max(calls) <= 4
            rows.append((path.parent.name, wall, slow, ratio, max(calls), statistics.median(sizes), max(sizes), status))
    lines = [f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; fake server delay {args.delay:g} s; "
             f"median of {args.runs} runs per VEP after a warm-up run.", "",
             "| VEP | review wall (s) | critical path (s) | ratio | calls | request bytes (median / max) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {name} | {wall:.2f} | {slow:.2f} | {ratio:.2f} | {calls} | {med:,.0f} / {mx:,} |"
              for name, wall, slow, ratio, calls, med, mx, _ in rows]
    lines += ["", "Targets: ratio <= 1.20 (reviewers in parallel), calls <= 4 per VEP: " + ("met" if ok else "NOT met")]
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
