"""Choose the deterministic matcher's threshold on the development split:
``python -m evals.calibrate [--split PATH]``.

For each threshold (shared salient terms) and own-words minimum (:mod:`evals.matching`) it
prints five figures, all computed on the development split's concerns:

- **paraphrase recall**: each concern's *summary* (the data set's wording) taken as a finding
  against the same concern with only its *quote* (the reviewer's own words) — two
  descriptions of one concern by different writers; the share that matches. A matcher that
  misses these would miss a reviewer who words the concern its own way.
- **cross-VEP false matches**: each concern's summary and quote taken as a finding against
  every concern of *another* VEP (sections not compared); the share that matches. Different
  subjects that still match.
- **shotgun recall**: the ``shotgun`` baseline with the full matcher (sections compared).
- **parrot recall**: the ``parrot`` baseline (content-free findings that restate their quote,
  as a chatty model does), likewise.
- **good-reviewer recall**: the synthetic fixture ``tests/fixtures/synthetic/good_reviewer_findings.yaml``
  (hand-written, so this figure is a sanity check, not evidence).

The threshold kept (:data:`evals.matching.THRESHOLD`, :data:`evals.matching.OWN_WORDS`) is
the one with the highest paraphrase recall minus cross-VEP false matches among those whose
shotgun and parrot recalls are at most 10%; the figures are copied into docs/evals.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.corpus import PROJECT_ROOT, Corpus
from evals.matching import OWN_WORDS, THRESHOLD, subject_match

GOOD = PROJECT_ROOT / "tests" / "fixtures" / "synthetic" / "good_reviewer_findings.yaml"


def figures(corpus: Corpus, split: Path | None = None, thresholds=(1, 2, 3, 4), own=(0, 1, 2)) -> list[dict]:
    """One row per (threshold, own words): the four figures of the module docstring."""
    from evals import baselines, llm
    from evals.deterministic import mutation_env

    template = mutation_env(corpus).template
    cases = [c for c in llm.concern_cases(corpus, split) if c.doc is not None]
    concerns = [con for c in cases for con in c.expected["concerns"]]
    good_data = baselines.load_findings_file(GOOD)[0] if GOOD.is_file() else {}
    rows = []
    for t in thresholds:
        for o in own:
            if o > t:
                continue
            para = sum(1 for c in concerns
                       if subject_match(c.get("summary"), None, None, {"quote": c.get("quote")}, t, o) is not None)
            pairs = hits = 0
            for a in concerns:
                for b in concerns:
                    if a["vep"] == b["vep"]:
                        continue
                    pairs += 1
                    hits += subject_match(a.get("summary"), a.get("quote"), None, b, t, o) is not None
            row = {"threshold": t, "own_words": o, "paraphrase_recall": para / len(concerns),
                   "cross_vep_false_matches": hits / pairs if pairs else 0.0}
            for name in ("shotgun", "parrot", "good"):
                matched = total = 0
                for case in cases:
                    found = (llm.baseline_findings(str(GOOD), case, template, good_data) if name == "good" else
                             llm.baseline_findings(name, case, template))
                    for con in case.expected["concerns"]:
                        total += 1
                        matched += any(llm.concern_match_terms(f, con, template, case.doc, t, o) is not None
                                       for f in found)
                row[f"{name}_recall"] = matched / total if total else 0.0
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the calibration table (markdown)."""
    p = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", help="enhancements checkout (default ../shared/corpus/kubevirt-enhancements)")
    p.add_argument("--split", help="concerns file (default: the development split)")
    args = p.parse_args(argv)
    corpus = Corpus.open(args.corpus)
    rows = figures(corpus, Path(args.split) if args.split else None)
    print("| threshold | own words | paraphrase recall | cross-VEP false matches | shotgun recall | parrot recall "
          "| good-reviewer recall (synthetic) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        mark = " **(kept)**" if (r["threshold"], r["own_words"]) == (THRESHOLD, OWN_WORDS) else ""
        print(f"| {r['threshold']}{mark} | {r['own_words']} | {r['paraphrase_recall']:.0%} | "
              f"{r['cross_vep_false_matches']:.1%} | {r['shotgun_recall']:.0%} | {r['parrot_recall']:.0%} | "
              f"{r['good_recall']:.0%} |")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
