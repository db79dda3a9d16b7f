from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
READY = """\
---
title: x
status: implementable
reviewers:
  - "@rev"
approvers:
  - "@app"
stage: alpha
milestone:
  alpha: "v1.9"
---
# VEP #123: x
"""


def found(text, repo_path="veps/sig-compute/123-example/vep.md"):
    return [(f.line, f.message) for f in run_rule("VEP209", make_doc(text, repo_path))]


def test_ready_vep_passes():
    assert found(READY) == []


def test_provisional_with_tbd_passes():
    text = READY.replace("implementable", "provisional").replace('"@rev"', "TBD")
    assert found(text.replace("stage: alpha\n", "").replace('alpha: "v1.9"', "alpha: TBD")) == []


def test_tbd_reviewers_and_approvers():
    text = READY.replace('  - "@rev"', '  - "@rev"\n  - TBD').replace('"@app"', "TBA")
    assert found(text) == [
        (6, "`status: implementable` needs named reviewers, but `reviewers` still has a `TBD` entry."),
        (8, "`status: implementable` needs named approvers, but `approvers` still has a `TBD` entry."),
    ]


def test_missing_and_empty_people():
    text = READY.replace('reviewers:\n  - "@rev"\n', "").replace('approvers:\n  - "@app"', "approvers: []")
    assert found(text) == [
        (1, "`status: implementable` needs named reviewers, but the front matter has no `reviewers` field."),
        (4, "`status: implementable` needs named approvers, but `approvers` is empty."),
    ]


def test_stage_and_milestone_missing():
    text = READY.replace("stage: alpha\n", "").replace('milestone:\n  alpha: "v1.9"\n', "")
    assert found(text) == [
        (1, "`status: implementable` needs the `stage` the VEP is tracked for, but `stage` is not set."),
        (1, "`status: implementable` needs the release the VEP is tracked for, but `milestone.alpha` is not set."),
    ]


def test_milestone_of_the_current_stage_is_required():
    text = READY.replace("stage: alpha", "stage: beta")
    assert found(text) == [
        (9, "`status: implementable` needs the release the VEP is tracked for, but `milestone.beta` is not set.")]
    assert found(text.replace('  alpha: "v1.9"', '  alpha: "v1.8"\n  beta: "v1.9"')) == []


def test_tbd_milestone():
    (f,) = found(READY.replace('alpha: "v1.9"', "alpha: TBD"))
    assert f == (10, "`status: implementable` needs the release the VEP is tracked for, but `milestone.alpha` is `TBD`.")


def test_malformed_values_are_left_to_vep206():
    assert found(READY.replace('alpha: "v1.9"', "alpha: 1.9")) == []
    assert found(READY.replace("stage: alpha", "stage: alfa")) == []
    assert found(READY.replace('milestone:\n  alpha: "v1.9"', 'milestone: "v1.9"')) == []


def test_meta_veps_need_no_stage_and_any_milestone():
    text = READY.replace("stage: alpha\n", "").replace('alpha: "v1.9"', 'ga: "v1.9"')
    assert found(text, "veps/meta-VEPs/282-vep-proposal-governance/vep.md") == []
    assert len(found(text)) == 2  # a feature VEP: stage missing, milestone.alpha missing


def test_real_vep_307_made_implementable(corpus):
    path = need(corpus / VEP307)
    text = path.read_text().replace("status: deferred", "status: implementable")
    text = text.replace('reviewers:\n  - "@alicefr"\n  - "@ormergi"', "reviewers: [TBD]")
    doc = parse(text.encode(), str(path), VEP307)
    found_ = [(f.line, f.message.split(", but ")[1]) for f in run_rule("VEP209", doc, make_ctx(corpus))]
    assert found_ == [(1, "`stage` is not set."), (13, "`reviewers` still has a `TBD` entry."),
                      (20, "`milestone.alpha` is `TBD`.")]
    # as deferred (the real document) it is not checked
    assert run_rule("VEP209", parse(path.read_bytes(), str(path), VEP307), make_ctx(corpus)) == []
