"""Benchmark of `vep-review status` on the shared corpus: whole-process wall time.

A fresh process per run (as a user sees it), median of --runs after one warm-up run, for
`status --format json` over every VEP of ../shared/corpus/kubevirt-enhancements, with and
without `--release v1.10`, beside `vep-review --version` (the start-up floor).

Usage: python benchmarks/bench_status.py [--runs N]
Target (issue 15, 2-core machine): the corpus in under a second.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements"
SCHEDULES = ROOT.parent / "shared" / "corpus" / "sig-release"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``cmd`` in seconds, one
    warm-up run first. On a shared machine the CPU time is the steadier figure."""
    subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, check=False)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: nothing to measure", file=sys.stderr)
        return 2
    base = [sys.executable, "-m", "agent"]
    status = [*base, "status", str(CORPUS), "--schedules", str(SCHEDULES), "--today", "2026-12-05"]
    cases = [("vep-review --version", [*base, "--version"]),
             ("status --format json (64 VEPs)", [*status, "--format", "json"]),
             ("status --release v1.10 (text)", [*status, "--release", "v1.10"])]
    print(f"Medians of {args.runs} runs.\n\n| case | wall time (s) | CPU time (s) |\n|---|---|---|")
    for name, cmd in cases:
        wall, cpu = measure(cmd, args.runs)
        print(f"| {name} | {wall:.3f} | {cpu:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
