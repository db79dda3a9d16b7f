"""The reviewers' prompts are aimed at what human reviewers of kubevirt/enhancements raise
(../shared/evals/human-concerns-dev.jsonl, the development split), paraphrase their examples
and ask for few findings (prompts/design_gaps.md, cross_sig.md, feature_gate.md)."""

from __future__ import annotations

import json
import re
from collections import Counter

from agent.llm.prompts_dir import read_prompt
from tests.conftest import SHARED, need

TASKS = ("design_gaps.md", "cross_sig.md", "feature_gate.md")
ASKED = ("scope-goals", "alternatives", "upgrade-rollback", "scalability-performance", "lifecycle-graduation")


def concerns():
    path = need(SHARED / "evals" / "human-concerns-dev.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_design_gaps_asks_first_what_humans_raise_most():
    counts = Counter(c["category"] for c in concerns())
    prompt = read_prompt("design_gaps.md")
    where = {cat: prompt.index(f"`{cat}`") for cat in ASKED}
    asked_order = sorted(ASKED, key=where.get)
    # the prompt asks in the order of the human counts (ties in any order)
    assert [counts[c] for c in asked_order] == sorted((counts[c] for c in ASKED), reverse=True)
    assert asked_order[0] == counts.most_common(1)[0][0] == "scope-goals"
    # production readiness / monitoring (no human concern) no longer leads
    assert prompt.lower().index("monitoring") > where["lifecycle-graduation"]
    assert "production readiness" not in prompt.lower()


def test_every_task_prompt_asks_for_few_findings_and_accepts_none():
    for name in TASKS:
        prompt = read_prompt(name).lower()
        assert "empty list" in prompt, name
        assert re.search(r"\b(at most one|one or two|none, one or two)\b", prompt), name


def test_examples_are_paraphrased_never_copied_from_the_human_concerns():
    prompts = {name: " ".join(words(read_prompt(name))) for name in TASKS}
    for concern in concerns():
        for field in ("quote", "summary"):
            w = words(concern.get(field) or "")
            for i in range(max(0, len(w) - 6)):
                run = " ".join(w[i:i + 7])
                for name, text in prompts.items():
                    assert run not in text, f"{name} copies seven words of a human concern's {field}: {run!r}"


def test_feature_gate_prompt_asks_whether_a_gate_is_needed_at_all():
    prompt = read_prompt("feature_gate.md").lower()
    assert "need a gate at all" in prompt or "needs a gate at all" in prompt
    assert any(c["category"] == "feature-gate" for c in concerns())


def test_cross_sig_prompt_names_the_sister_projects_and_stays_in_its_category():
    prompt = read_prompt("cross_sig.md")
    for project in ("CDI", "SSP", "HCO", "CNAO"):
        assert project in prompt
    assert "`cross-sig`" in prompt
    assert "`cross-sig`" not in read_prompt("design_gaps.md").split("do not use")[0]
