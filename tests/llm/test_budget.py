"""Issue 10 end to end, through ``vep-review review`` against the local fake server
(agent/llm/fake_server.py; its answers are synthetic, never model output): the VEP's budget of LLM
findings, the counts of what was dropped and why, the change-aware review on a real historic pair,
and the empty review."""

from __future__ import annotations

import difflib
import io
import json
from contextlib import redirect_stdout

import pytest

from agent.cli import main
from agent.llm.fake_server import FakeAnthropic
from agent.llm.sanitize import sanitize

VEPS = ("veps/sig-network/307-vhostuser-binding-plugin/vep.md", "veps/sig-storage/90-utility-volumes/vep.md",
        "veps/sig-compute/250-vmi-serviceaccountname/vep.md", "veps/sig-compute/172-cross-arch-virtualization/vep.md")


def review_json(*argv) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["review", "--format", "json", *argv])
    return json.loads(out.getvalue())


def llm(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f.get("origin") == "llm"]


@pytest.mark.parametrize("repo_path", VEPS)
def test_a_chatty_model_gets_one_to_five_findings_per_corpus_vep_and_the_drops_counted(corpus, repo_path):
    with FakeAnthropic(chatty=8) as server:
        report = review_json("--base-url", server.url, str(corpus / repo_path))
    usage, found = report["llm"]["usage"], llm(report)
    assert 1 <= len(found) <= 5
    # 8 per reviewer; one to three reviewers (cross-SIG only with a candidate SIG, feature gate only without a gate)
    assert usage["candidates"] >= 8 and usage["llm_findings"] == len(found)
    dropped = {k: v for k, v in usage.items() if k.startswith("dropped_")}
    assert sum(dropped.values()) == usage["candidates"] - len(found)
    assert dropped["dropped_generic"] > 0 and dropped["dropped_low_confidence"] > 0
    survivors = usage["candidates"] - sum(v for k, v in dropped.items() if k != "dropped_capped")
    assert dropped["dropped_capped"] == max(0, survivors - 5) and len(found) == min(5, survivors)  # the budget
    assert f"{len(found)} of {usage['candidates']} candidate finding(s) kept (dropped: " in report["llm"]["status"]
    assert all(f["confidence"] >= 0.5 for f in found)
    # ranked: the reported findings are the best of what survived (warnings first, then confidence)
    assert [f["severity"] for f in found].count("warning") >= min(len(found), 3)


def test_max_findings_on_the_command_line_and_in_the_configuration(corpus, tmp_path):
    path = str(corpus / VEPS[1])
    with FakeAnthropic(chatty=8) as server:
        two = review_json("--base-url", server.url, "--max-findings", "2", path)
        config = tmp_path / "vep-review.yaml"
        config.write_text("llm:\n  max_findings: 1\n")
        one = review_json("--base-url", server.url, "--config", str(config), path)
        none = review_json("--base-url", server.url, "--max-findings", "0", path)
        calls = len(server.requests)
    assert len(llm(two)) == 2 and len(llm(one)) == 1
    assert llm(none) == [] and none["llm"]["usage"]["calls"] == 0  # a budget of 0 makes no call
    assert calls == two["llm"]["usage"]["attempts"] + one["llm"]["usage"]["attempts"]


def test_an_empty_review_is_a_good_answer_and_the_report_says_so(corpus):
    script = {k: ["empty"] for k in ("design_gaps", "cross_sig", "feature_gate")}
    with FakeAnthropic(script=script) as server:
        report = review_json("--base-url", server.url, str(corpus / VEPS[0]))
    assert llm(report) == []
    assert report["llm"]["status"].endswith("no LLM finding: the reviewers raised no concern")


def test_change_aware_review_of_a_real_historic_pair_reports_only_changed_text(history, corpus):
    """VEP 172, PR 173 -> PR 361 ("Clarify Alpha scope is TCG-only"): the chatty server quotes
    added lines for half of its findings and any line for the rest."""
    entries = [e for e in json.loads((history / "index.json").read_text())
               if e["path"] == "veps/sig-compute/172-cross-arch-virtualization/vep.md"]
    base = next(e for e in entries if e["pr"] == 173)
    head = next(e for e in entries if e["pr"] == 361)
    new_text = (history / head["file"]).read_text(encoding="utf-8")
    old_text = (history / base["file"]).read_text(encoding="utf-8")
    with FakeAnthropic(chatty=8) as server:
        report = review_json("--base-url", server.url, "--base-file", str(history / base["file"]),
                             "--as-path", head["path"], str(history / head["file"]))
        bodies = [r for r in server.requests if r["reviewer"] != "warmup"]
    usage, found = report["llm"]["usage"], llm(report)
    assert usage["dropped_unchanged"] > 0 and 1 <= len(found) <= 5
    # every reported finding quotes text that the change added or modified (checked here with
    # difflib on whole lines, independently of agent.llm.change)
    old, new = sanitize(old_text).split("\n"), sanitize(new_text).split("\n")
    changed = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(j1 + 1, j2 + 1))
    for f in found:
        span = range(f["line"], f.get("extra", {}).get("end_line", f["line"]) + 1)
        assert changed.intersection(span), (f["line"], f["quote"])
    assert bodies and len(bodies) == report["llm"]["usage"]["calls"] - 1  # the warm-up, then the reviewers
