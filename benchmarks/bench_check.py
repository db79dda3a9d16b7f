"""Benchmark of `vep-review check`: whole-process wall time and peak memory.

Measures, as a user would see it (a fresh process each run, median of --runs):

- one file (VEP 307 of the shared corpus, or the bundled example),
- the whole ../shared/corpus/kubevirt-enhancements checkout,
- generated documents of 1, 5 and 10 MB (linear growth expected),
- the start-up floor: `python -c pass` and `vep-review --version`.

Peak memory is the child's maximum resident set size (from wait4, per run). Each case
starts with one warm-up run; bytecode caches are allowed, as on a user's machine.

Usage: python benchmarks/bench_check.py [--runs N] [--write docs/benchmarks.md]
Targets (issue #2, 2-core machine): corpus < 0.3 s, one file < 0.2 s, 10 MB < 3 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements"
ONE = CORPUS / "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
EXAMPLE = ROOT / "examples/veps/sig-compute/4242-vcpu-hotplug-ceiling/vep.md"


#: Children run as on a user's machine: Python may write and read bytecode caches (this
#: sandbox sets PYTHONDONTWRITEBYTECODE, which would recompile every module each start).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``runs`` fresh processes, after one
    warm-up run (which also writes the bytecode caches)."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    times, peaks = [], []
    for _ in range(runs):
        pid_start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - pid_start)
        peaks.append(usage.ru_maxrss / 1024)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return statistics.median(times), max(peaks)


def generated(size_mb: int, directory: Path) -> Path:
    """A VEP of about ``size_mb`` MB made of repeated real text (or the example)."""
    src = (CORPUS / "veps/sig-compute/172-cross-arch-virtualization/vep.md")
    text = src.read_text() if src.exists() else EXAMPLE.read_text()
    path = directory / f"veps/sig-compute/1-generated-{size_mb}mb/vep.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text * (size_mb * 1_000_000 // len(text) + 1))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", metavar="FILE", help="also write the table into this markdown file")
    args = parser.parse_args(argv)
    check = [sys.executable, "-m", "agent", "check", "--format", "json"]
    one = ONE if ONE.exists() else EXAMPLE
    rows = [("python -c pass (floor)", measure([sys.executable, "-c", "pass"], args.runs)),
            ("vep-review --version", measure([sys.executable, "-m", "agent", "--version"], args.runs)),
            (f"check one file ({one.parent.name})", measure(check + [str(one)], args.runs))]
    if CORPUS.exists():
        n = len(list(CORPUS.glob("veps/*/*/vep.md")))
        rows.append((f"check whole corpus ({n} VEPs)", measure(check + [str(CORPUS)], args.runs)))
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (1, 5, 10):
            path = generated(mb, Path(tmp))
            rows.append((f"check one {mb} MB document", measure(check + [str(path)], max(3, args.runs // 2))))
    lines = [f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
             f"median of {args.runs} fresh processes; peak RSS is the largest of the runs.", "",
             "| case | wall time (s) | peak RSS (MiB) |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {t:.3f} | {rss:.0f} |" for name, (t, rss) in rows]
    table = "\n".join(lines)
    print(table)
    if args.write:
        target = Path(args.write)
        head = "# Benchmarks\n\nProduced by `python benchmarks/bench_check.py --write docs/benchmarks.md`.\n\n"
        target.write_text(head + "## vep-review check\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
