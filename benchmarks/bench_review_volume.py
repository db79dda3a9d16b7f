"""How many LLM findings reach the report when the model says as much as it may.

Runs ``vep-review review --format json`` against the local fake server in chatty mode
(:mod:`agent.llm.fake_server`: N plausible, verbatim-quoted, content-free findings per reviewer
answer whose self-checks claim all is well; synthetic texts, never a model's) on:

- every VEP of the corpus, reviewed whole;
- every update of the historic versions (``--base-file`` the previous version of the same VEP).

Prints the distribution of LLM findings per review (docs/llm-review.md, "Few, checked
findings"). Usage::

    python benchmarks/bench_review_volume.py [--chatty 8] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import statistics
import sys
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def llm_findings(server_url: str, *args: str) -> int:
    """LLM findings of one ``vep-review review`` run."""
    from agent.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        main(["review", "--format", "json", "--base-url", server_url, *args])
    return sum(1 for f in json.loads(out.getvalue())["findings"] if f.get("origin") == "llm")


def line(label: str, counts: list[int]) -> str:
    dist = sorted(collections.Counter(counts).items())
    return (f"{label}: {len(counts)} reviews, median {statistics.median(counts):g}, max {max(counts)}; "
            f"LLM findings: reviews = {', '.join(f'{k}: {v}' for k, v in dist)}")


def main() -> int:
    from agent.llm.fake_server import FakeAnthropic

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chatty", type=int, default=8, help="synthetic findings per reviewer answer")
    p.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"), help="folder holding "
                   "kubevirt-enhancements and kubevirt-enhancements-history")
    args = p.parse_args()
    corpus = Path(args.corpus)
    os.environ.setdefault("ANTHROPIC_API_KEY", "fake-server")
    whole, updates = [], []
    with FakeAnthropic(chatty=args.chatty, max_requests=100_000, lifetime=3600) as server:
        for path in sorted((corpus / "kubevirt-enhancements" / "veps").glob("*/*/vep.md")):
            whole.append(llm_findings(server.url, str(path)))
        history = corpus / "kubevirt-enhancements-history"
        versions: dict[str, list[dict]] = collections.defaultdict(list)
        for entry in json.loads((history / "index.json").read_text()):
            versions[entry["path"]].append(entry)
        for entries in versions.values():
            entries.sort(key=lambda e: (e["date"], e["commit"]))
            for before, after in zip(entries, entries[1:]):
                updates.append(llm_findings(server.url, "--base-file", str(history / before["file"]),
                                            "--as-path", after["path_at_commit"], str(history / after["file"])))
    print(f"fake server chatty={args.chatty} (synthetic answers, not a model's)")
    print(line("whole VEPs", whole))
    print(line("updates", updates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
