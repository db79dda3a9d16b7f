"""Measure the cross-SIG pre-pass and its routing on the corpus (no model, no network).

For every VEP of ``../shared/corpus/kubevirt-enhancements`` (the template left out) it reports:

- how many network and storage VEPs get sig-compute proposed as a candidate SIG, with the
  shipped ``agent/data/sig-areas.yaml`` and with the same data *before* the terms common to
  every SIG's VEPs were left out (``build_sig_areas.derive`` alone);
- on how many VEPs the cross-SIG reviewer (LLM201) runs: with the shipped routing (a candidate
  SIG or a non-empty ``participating-sigs``), against "always" (the routing before);
- which sister projects are named where.

Usage: python benchmarks/measure_cross_sig.py [--corpus DIR] [--list]
Figures are in docs/llm-review.md ("Cross-SIG").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    import yaml

    from agent.document import read
    from agent.llm import build_sig_areas
    from agent.llm.taxonomy import compile_areas, scan

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements")
    parser.add_argument("--taxonomy", type=Path, default=ROOT.parent / "shared" / "data" / "sig-taxonomy.yaml")
    parser.add_argument("--list", action="store_true", help="one line per VEP")
    args = parser.parse_args(argv)
    if not (args.corpus / "veps").is_dir():
        print(f"{args.corpus}: no veps/ folder", file=sys.stderr)
        return 2
    raw = args.taxonomy.read_bytes()
    before = compile_areas(build_sig_areas.derive(yaml.safe_load(raw), args.taxonomy.name, raw))
    docs = [(p.parent.parent.name, read(str(p))) for p in sorted((args.corpus / "veps").glob("*/*/vep.md"))
            if "NNNN" not in str(p)]
    compute = {"sig-network": [0, 0, 0], "sig-storage": [0, 0, 0]}  # [VEPs, proposed before, proposed now]
    runs = 0
    named: dict[str, list[str]] = {}
    for sig, doc in docs:
        now, old = scan(doc), scan(doc, before)
        run, _ = now.worth_reviewing
        runs += run
        if sig in compute:
            compute[sig][0] += 1
            compute[sig][1] += "sig-compute" in old.candidates
            compute[sig][2] += "sig-compute" in now.candidates
        for project in now.projects():
            named.setdefault(project, []).append(doc.info.repo_path.split("/")[2])
        if args.list:
            print(f"{doc.info.repo_path:70} {'runs ' if run else 'skips'} candidates now {now.candidates}, "
                  f"before {old.candidates}")
    print(f"corpus VEPs: {len(docs)}")
    for sig, (n, old, new) in compute.items():
        print(f"{sig} VEPs with sig-compute proposed: {new} of {n} (before leaving out common terms: {old} of {n})")
    print(f"cross-SIG reviewer runs on {runs} of {len(docs)} VEPs (before: {len(docs)} of {len(docs)}, always)")
    print("sister projects named: " + "; ".join(f"{p} in {', '.join(v)}" for p, v in sorted(named.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
