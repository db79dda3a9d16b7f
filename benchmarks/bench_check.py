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


#: Wall-time targets of issue #2 on the 2-core machine, by case (seconds).
TARGETS = {"check whole corpus": 0.3, "check one file": 0.2, "check one 10 MB document": 3.0}
BEGIN, END = "<!-- bench_check: begin -->", "<!-- bench_check: end -->"


def write_between_markers(target: Path, table: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace the text between ``begin`` and ``end`` in ``target`` (the analysis around the
    table is kept); a file without the markers gets them appended. Also used by the other
    benchmark scripts, with their own markers."""
    text = target.read_text() if target.exists() else "# Benchmarks\n"
    block = f"{begin}\n{table}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    target.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", metavar="FILE",
                        help="also write the tables into this markdown file, between its bench_check markers")
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
             f"median of {args.runs} fresh processes ({max(3, args.runs // 2)} for the generated documents); "
             "peak RSS is the largest of the runs.", "",
             "| case | wall time (s) | peak RSS (MiB) |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {t:.3f} | {rss:.0f} |" for name, (t, rss) in rows]
    measured = {name.split(" (")[0]: t for name, (t, _) in rows}
    lines += ["", "Against the targets of issue #2:", "", "| target | measured (s) | met |", "| --- | ---: | --- |"]
    for name, limit in TARGETS.items():
        if name in measured:
            lines.append(f"| {name} < {limit} s | {measured[name]:.3f} | {'yes' if measured[name] < limit else 'no'} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_between_markers(Path(args.write), table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
