"""VEP702: the tracking issue (the repository's issue template, filled in) agrees with the
front matter where both say something; against the fake GitHub server."""

import pytest

from agent.rules.vep702_tracking_issue_mismatch import parse_issue
from tests.conftest import run_rule
from tests.fixtures.github.fake_github import FakeGitHub
from tests.rules.process_helpers import ISSUE_TEMPLATE, filled_issue, process_ctx, vep


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server


def findings(fake, body, doc=None, **issue):
    fake.add_issue(123, body, **issue)
    return [(f.line, f.message) for f in run_rule("VEP702", doc or vep(123), process_ctx(fake))]


def test_an_issue_that_agrees_passes(fake):
    assert findings(fake, filled_issue()) == []


def test_the_unfilled_template_says_nothing(fake, corpus):
    body = ISSUE_TEMPLATE.read_text().split("---", 2)[2]
    assert parse_issue(body) == {}
    assert findings(fake, body) == []


def test_parse_issue_reads_the_template_fields():
    said = parse_issue(filled_issue(stage="Alpha", gate="`LiveUpdate`", sig="network", alpha="v1.7", beta="", stable="1.10"))
    assert said == {"stage": "alpha", "feature-gate": "LiveUpdate", "owning-sig": "sig-network",
                    "milestone": {"alpha": (1, 7), "ga": (1, 10)}}


def test_stage_mismatch(fake):
    assert findings(fake, filled_issue(stage="Alpha")) == [
        (12, "`stage: beta` disagrees with the tracking issue #123, whose Current Feature Stage is alpha.")]


def test_feature_gate_mismatch(fake):
    assert findings(fake, filled_issue(gate="OtherGate")) == [
        (11, "`feature-gate: ExampleFeature` disagrees with the tracking issue #123, whose Feature Gate is `OtherGate`.")]


def test_owning_sig_mismatch(fake):
    assert findings(fake, filled_issue(sig="network")) == [
        (7, "`owning-sig: sig-compute` disagrees with the tracking issue #123, whose primary SIG is sig-network.")]


def test_owning_sig_from_the_only_sig_label(fake):
    body = filled_issue().replace("/sig compute", "/sig $SIG")
    assert findings(fake, body, labels=["kind/tracker", "sig/storage"]) == [
        (7, "`owning-sig: sig-compute` disagrees with the tracking issue #123, whose primary SIG is sig-storage.")]


def test_release_target_mismatch(fake):
    assert findings(fake, filled_issue(beta="1.10")) == [
        (13, "`milestone.beta: v1.9` disagrees with the tracking issue #123, whose Beta release target is v1.10.")]


def test_reviewers_and_approvers_mismatch(fake):
    extra = "\n**Reviewers**: @rev1, @someone\n**Approvers**: @app\n"
    assert findings(fake, filled_issue(extra=extra)) == [
        (9, "`reviewers` disagree with the tracking issue #123: only the VEP lists @rev2; only the issue lists @someone.")]


def test_a_closed_issue_for_a_vep_in_progress(fake):
    assert findings(fake, filled_issue(), state="closed") == [
        (5, "The tracking issue #123 is closed, but `status: implementable` says the VEP is still in progress.")]
    with FakeGitHub() as other:
        assert findings(other, filled_issue(), doc=vep(123, status="implemented"), state="closed") == []


def test_a_pull_request_or_missing_issue_is_left_to_vep701(fake):
    assert run_rule("VEP702", vep(999), process_ctx(fake)) == []


def test_api_failure_is_a_note_once(fake):
    fake.fail("GET", r"/issues/", 502)
    ctx = process_ctx(fake)
    from agent.engine import check_document
    from agent.rules import get_rule

    found = check_document(vep(123), ctx, [get_rule("VEP701"), get_rule("VEP702")])
    assert [(f.rule, f.severity.value) for f in found] == [("VEP701", "info")]


# the newer layout of the issue template: Proposal status, Reviewers, Approvers, and a
# checklist timeline with "Target: vX.Y" under each stage
NEWER = """\
<!-- This issue's number is the VEP number. -->

**Primary contact (assignee)**:

/assign jdoe

**Current Feature Stage**:

Beta

**Proposal status**:

{status}

**Feature Gate**:

ExampleFeature

**Responsible SIGs**:

Primary SIG:
/sig compute

Additional SIGs (optional):
/sig storage

**Reviewers**:

{reviewers}

**Approvers**:

@app

**Enhancement link**:

https://github.com/kubevirt/enhancements/pull/124

**Timeline**:

- [x] Provisional
  - [x] VEP PR: #124

- [x] Alpha
  - Target: v1.8
  - [x] VEP PRs: #130

- [ ] Beta
  - Target: {beta}
  - [ ] Code PRs:

<!--
- [ ] GA
  - Target: v1.99
-->

> [!IMPORTANT]
> Please keep this description up to date.
"""


def newer(status="implementable", reviewers="@rev1, @rev2", beta="v1.9"):
    return NEWER.format(status=status, reviewers=reviewers, beta=beta)


def test_newer_layout_is_read():
    assert parse_issue(newer()) == {"stage": "beta", "status": "implementable", "feature-gate": "ExampleFeature",
                                    "owning-sig": "sig-compute", "reviewers": {"rev1", "rev2"}, "approvers": {"app"},
                                    "milestone": {"alpha": (1, 8), "beta": (1, 9)}}


def test_newer_layout_that_agrees_passes(fake):
    assert findings(fake, newer()) == []


def test_newer_layout_mismatches(fake):
    assert findings(fake, newer(status="provisional", reviewers="@rev1", beta="v1.10")) == [
        (5, "`status: implementable` disagrees with the tracking issue #123, whose Proposal status is provisional."),
        (9, "`reviewers` disagree with the tracking issue #123: only the VEP lists @rev2."),
        (13, "`milestone.beta: v1.9` disagrees with the tracking issue #123, whose Beta release target is v1.10."),
    ]


@pytest.mark.parametrize("labels", [5, "sig/network", None])
def test_issue_labels_that_are_not_a_list_are_ignored(fake, labels):
    ctx = process_ctx(fake)
    ctx.github.api.prime("issues/123", {"number": 123, "state": "open", "labels": labels,
                                        "body": filled_issue(sig="$SIG")})
    assert run_rule("VEP702", vep(123), ctx) == []
