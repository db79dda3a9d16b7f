"""Peak memory of `vep-review check` on large and hostile inputs (issue 14: "peak memory of a
run does not grow with the number of documents, and a 20 MB VEP stays under 200 MB").

Builds, in a temporary directory laid out as an enhancements repository (``veps/<sig>/<n>-<name>/vep.md``):

- a realistic 20 MB VEP: the bodies of the corpus VEPs (../shared/corpus/kubevirt-enhancements)
  repeated, without front matter (as the legacy VEPs) and with VEP 307's front matter;
- 20 MB in one line (the same prose with its line breaks made spaces);
- 20 MB of short lines (list items of one word) and a 20 MB fenced code block;
- 16 and 128 documents of 2 MB (one VEP's sections, then 2 MB of the corpus's prose
  without headings, so that findings are few: every finding is held for the report) whose
  front matter is not valid YAML, and 128 whose front matter is valid (a run's peak must not
  grow with the number of documents);

then runs ``vep-review check --format json`` on each in a fresh process and reports its peak
resident set size (``ru_maxrss`` from ``wait4``: the largest of the process and the children it
waited for; directories of 32 files or more are checked by two processes, each counted alone)
and wall time. The inputs are written by a separate process, so that this one stays small
(a child's ``ru_maxrss`` is at least its parent's peak at the time it was started).

Usage: python benchmarks/bench_memory.py [--mb 20] [--json] [--write docs/benchmarks.md]
       [--root OTHER_CHECKOUT]   (measure another checkout of vep-review, e.g. the base branch)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_check import write_between_markers  # benchmarks/, the script's folder, is on sys.path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements"
EXAMPLE = ROOT / "examples/veps/sig-compute/4242-vcpu-hotplug-ceiling/vep.md"
FRONT_MATTER_VEP = CORPUS / "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
BEGIN, END = "<!-- bench_memory: begin -->", "<!-- bench_memory: end -->"
#: The target of issue 14 for the 20 MB VEP (MiB of peak RSS).
TARGET_MIB = 200

_FRONT_MATTER_RE = re.compile(r"\A---\n.*?\n---\n", re.S)

#: Children run as on a user's machine (bytecode caches allowed).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def corpus_bodies() -> str:
    """The corpus VEPs' text after their front matter, concatenated (the bundled example
    when the shared corpus is absent)."""
    paths = sorted(CORPUS.glob("veps/*/*/vep.md")) or [EXAMPLE]
    return "\n".join(_FRONT_MATTER_RE.sub("", p.read_text(encoding="utf-8")) for p in paths)


def corpus_bodies_of(path: Path) -> str:
    """The text of ``path`` after its front matter ("" when absent)."""
    return _FRONT_MATTER_RE.sub("", path.read_text(encoding="utf-8")) if path.exists() else ""


def front_matter() -> str:
    """VEP 307's front matter (a valid VEP-282 block), or a minimal one."""
    if FRONT_MATTER_VEP.exists():
        m = _FRONT_MATTER_RE.match(FRONT_MATTER_VEP.read_text(encoding="utf-8"))
        if m:
            return m.group(0)
    return "---\ntitle: Generated\nvep-number: 1\nstatus: provisional\nowning-sig: sig-compute\n---\n"


def repeat_to(text: str, size: int) -> str:
    """``text`` repeated to at least ``size`` characters."""
    return text * (size // max(len(text), 1) + 1)


def write_vep(root: Path, number: int, name: str, text: str) -> Path:
    path = root / f"veps/sig-compute/{number}-{name}/vep.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build_cases(tmp: Path, mb: int, only: str | None = None) -> list[tuple[str, Path, int]]:
    """(case name, path to check, bytes checked) for every case (``only``: whose name
    contains it), written under ``tmp``."""
    size = mb * 1_000_000
    bodies = corpus_bodies()
    one_line = " ".join(bodies.split())
    cases: list[tuple[str, Path, int]] = []

    def single(name: str, text: str) -> None:
        if only and only not in f"one {mb} MB VEP: {name.replace('-', ' ')}":
            return
        root = tmp / name
        path = write_vep(root, 1, name, text)
        cases.append((f"one {mb} MB VEP: {name.replace('-', ' ')}", path, path.stat().st_size))

    single("corpus-bodies", repeat_to(bodies, size))
    single("corpus-bodies-with-front-matter", front_matter() + repeat_to(bodies, size))
    single("one-line", f"# VEP #1: One line\n\n## Motivation\n\nProse: {repeat_to(one_line, size)}\n")
    single("short-lines", "# VEP #1: Short lines\n\n## Goals\n\n" + repeat_to("- goal\n", size))
    single("code-block", "# VEP #1: Code\n\n## Design\n\n```yaml\n" + repeat_to("  key: value # a comment\n", size)
           + "```\n")

    broken = "---\ntitle: [unclosed\nowning-sig: sig-compute\n---\n"  # not valid YAML
    valid = front_matter()
    # one VEP's sections, then 2 MB of the corpus's prose without its headings: few findings
    # (repeated sections would each be a finding, and findings are held for the report)
    prose = "\n".join(line for line in bodies.split("\n") if not line.lstrip().startswith("#"))
    first = corpus_bodies_of(FRONT_MATTER_VEP) or bodies[:20_000]
    body2 = first + "\n\n## Appendix\n\n" + repeat_to(prose, 2_000_000)[:2_000_000 - len(first)]
    for label, block, count in (("broken", broken, 16), ("broken", broken, 128), ("valid", valid, 128)):
        if only and only not in f"{count} VEPs of 2 MB, {label} front matter":
            continue
        root = tmp / f"{label}-{count}"
        for n in range(1, count + 1):
            write_vep(root, n, f"doc{n}", block + body2)
        total = sum(p.stat().st_size for p in root.glob("veps/*/*/vep.md"))
        cases.append((f"{count} VEPs of 2 MB, {label} front matter", root, total))
    return cases


def measure(cmd: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit code of one fresh process (run in ``cwd``:
    ``python -m agent`` imports the checkout there)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20, help="size of the single-document cases (MB)")
    parser.add_argument("--runs", type=int, default=1, help="runs per case (the largest peak, median time)")
    parser.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    parser.add_argument("--root", help="the vep-review checkout to measure (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--write", metavar="FILE", help="also write the table into FILE between its bench_memory markers")
    parser.add_argument("--build", metavar="DIR", help=argparse.SUPPRESS)  # (internal: write the cases, print them)
    args = parser.parse_args(argv)
    if args.build:
        print(json.dumps([[name, str(path), size] for name, path, size in build_cases(Path(args.build), args.mb, args.only)]))
        return 0
    root = Path(args.root).resolve() if args.root else ROOT
    env = dict(ENV, PYTHONPATH=os.pathsep.join(filter(None, [str(root), ENV.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "agent", "check", "--format", "json"]
    floor = measure([sys.executable, "-c", "pass"], env)[1]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_memory.") as tmp:
        # the inputs are written by another process: a child started from this one reports
        # this one's peak RSS as its own when that is larger (exec after vfork keeps it)
        build = [sys.executable, __file__, "--build", tmp, "--mb", str(args.mb)] + (["--only", args.only] if args.only else [])
        cases = json.loads(subprocess.run(build, check=True, capture_output=True, text=True).stdout)
        for name, path, size in cases:
            measure(cmd + [str(EXAMPLE)], env, root)  # warm bytecode caches
            runs = [measure(cmd + [str(path)], env, root) for _ in range(args.runs)]
            codes = {code for _, _, code in runs}
            if codes - {0, 1}:
                raise SystemExit(f"{name}: vep-review check exited {sorted(codes)}")
            rows.append({"case": name, "bytes": size, "peak_rss_mib": round(max(r[1] for r in runs), 1),
                         "wall_s": round(sorted(r[0] for r in runs)[len(runs) // 2], 2)})
            print(f"{name}: {rows[-1]['peak_rss_mib']:.0f} MiB, {rows[-1]['wall_s']:.2f} s", file=sys.stderr)
    if args.json:
        print(json.dumps({"python": platform.python_version(), "floor_rss_mib": round(floor, 1), "cases": rows}, indent=2))
    lines = [f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
             f"one fresh `vep-review check --format json` process per case ({args.runs} run(s), largest peak); "
             f"`python -c pass` peaks at {floor:.0f} MiB.", "",
             "| case | input (MB) | peak RSS (MiB) | wall time (s) |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r['case']} | {r['bytes'] / 1e6:.1f} | {r['peak_rss_mib']:.0f} | {r['wall_s']:.2f} |" for r in rows]
    for label, cases in (("a realistic", [r for r in rows if "corpus bodies" in r["case"]]),
                         ("every", [r for r in rows if r["case"].startswith("one ")])):
        if cases:
            worst = max(cases, key=lambda r: r["peak_rss_mib"])
            met = "met" if worst["peak_rss_mib"] < TARGET_MIB else "NOT met"
            lines += ["", f"Target (issue 14), {label} {args.mb} MB VEP under {TARGET_MIB} MiB: {met} "
                          f"(largest: {worst['peak_rss_mib']:.0f} MiB, {worst['case']})."]
    table = "\n".join(lines)
    if not args.json:
        print(table)
    if args.write:
        write_between_markers(Path(args.write), table, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
