import pytest

from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

DOC = """\
---
title: x
vep-number: 123
status: {status}
feature-gate: Example
{stage}milestone:
{milestone}
---
# VEP #123: x

## Implementation History

{history}
"""


def doc(stage="alpha", status="implementable", milestone='  alpha: "v1.9"', history="- 2026-01-01: VEP merged.",
        path="veps/sig-compute/123-x/vep.md"):
    stage_line = f"stage: {stage}\n" if stage is not None else ""
    return make_doc(DOC.format(stage=stage_line, status=status, milestone=milestone, history=history), path)


def test_consistent_front_matter_passes():
    assert run_rule("VEP602", doc()) == []
    assert run_rule("VEP602", doc("beta", milestone='  alpha: "v1.8"\n  beta: "v1.9"')) == []
    assert run_rule("VEP602", doc("ga", "implemented", '  alpha: "v1.7"\n  beta: "v1.8"\n  ga: "v1.9"')) == []


def test_planned_later_milestone_is_not_a_mismatch():
    assert run_rule("VEP602", doc("alpha", milestone='  alpha: "v1.9"\n  beta: "v1.10"')) == []


def test_alpha_without_milestone_is_not_reported():
    assert run_rule("VEP602", doc("alpha", "provisional", milestone="  alpha: TBD")) == []


@pytest.mark.parametrize("stage, milestone", [("beta", '  alpha: "v1.8"'), ("beta", '  alpha: "v1.8"\n  beta: TBD'),
                                              ("ga", '  beta: "v1.8"')])
def test_stage_without_its_milestone(stage, milestone):
    d = doc(stage, milestone=milestone)
    (f,) = run_rule("VEP602", d)
    assert f"milestone.{stage} names no release" in f.message
    assert f.line == d.front_matter.line_of("stage") and f.severity.value == "error"


def test_ga_while_provisional():
    (f,) = run_rule("VEP602", doc("ga", "provisional", '  ga: "v1.9"'))
    assert "still provisional" in f.message


def test_implemented_but_not_ga():
    (f,) = run_rule("VEP602", doc("beta", "implemented", '  beta: "v1.9"'))
    assert "status implemented" in f.message and "stage is beta" in f.message


def test_history_says_it_graduated():
    d = doc("alpha", history="- 2025-10-28: Promoted `VideoConfig` feature gate from Alpha to Beta. PR: #1")
    (f,) = run_rule("VEP602", d)
    assert f"line {d.line_of('Promoted')}" in f.message and "graduated to beta" in f.message
    assert run_rule("VEP602", doc("beta", milestone='  beta: "v1.8"', history="- Promoted to Beta.")) == []


def test_unknown_or_odd_values_are_left_to_the_schema_rules():
    assert run_rule("VEP602", doc("stable")) == []
    assert run_rule("VEP602", doc("[beta]")) == []
    assert run_rule("VEP602", doc(None)) == []
    assert run_rule("VEP602", doc("beta", milestone="  - v1.9")) != []  # milestone not a mapping: no beta release


def test_meta_veps_and_legacy_veps_are_not_checked():
    assert run_rule("VEP602", doc("ga", "provisional", path="veps/meta-VEPs/1-x/vep.md")) == []
    assert run_rule("VEP602", make_doc("# VEP #1: x\n\n## Implementation History\n\nPromoted to GA.\n")) == []


def test_real_vep_passes(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"  # deferred, stage omitted
    path = need(corpus / rel)
    assert run_rule("VEP602", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == []


def test_real_vep_migrated_with_a_stale_stage(corpus):
    # VEP 35's history records the promotion to Beta; a migration that keeps stage: alpha is stale
    rel = "veps/sig-compute/35-video-configuration/vep.md"
    body = need(corpus / rel).read_text()
    fm = ('---\ntitle: Video configuration\nvep-number: 35\nstatus: implementable\nfeature-gate: VideoConfig\n'
          'stage: {stage}\nmilestone:\n  alpha: "v1.6"\n  beta: "v1.7"\n---\n')
    stale = parse((fm.format(stage="alpha") + body).encode(), "vep.md", rel)
    (f,) = run_rule("VEP602", stale, make_ctx(corpus))
    assert "graduated to beta" in f.message
    current = parse((fm.format(stage="beta") + body).encode(), "vep.md", rel)
    assert run_rule("VEP602", current, make_ctx(corpus)) == []
