"""VEP703: the pull request carries the owning SIG's label; against the fake GitHub server."""

import pytest

from agent.engine import check_document
from agent.rules import get_rule
from tests.conftest import make_doc, run_rule
from tests.fixtures.github.fake_github import FakeGitHub
from tests.rules.process_helpers import pr_body, process_ctx, vep


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        server.add_commit("a" * 40, {})
        yield server


def test_the_owning_sig_label_passes(fake):
    fake.add_pull(7, "a" * 40, "a" * 40, labels=["kind/enhancement", "sig/compute"])
    assert run_rule("VEP703", vep(123), process_ctx(fake, pull=7)) == []


def test_a_missing_sig_label_fails(fake):
    fake.add_pull(7, "a" * 40, "a" * 40, labels=["kind/enhancement", "sig/storage"])
    (f,) = run_rule("VEP703", vep(123), process_ctx(fake, pull=7))
    assert f.severity.value == "warning" and f.line is None
    assert f.message == ("Pull request #7 has no `sig/compute` label for the owning SIG sig-compute "
                         "(its labels: `kind/enhancement`, `sig/storage`).")
    assert f.fix == "Comment `/sig compute` on the pull request."


def test_without_front_matter_the_sig_directory_counts(fake):
    fake.add_pull(7, "a" * 40, "a" * 40, labels=["sig/network"])
    doc = make_doc("# VEP #5: x\n\n## Overview\n\nText.\n", "veps/sig-storage/5-x/vep.md")
    assert "`sig/storage`" in run_rule("VEP703", doc, process_ctx(fake, pull=7))[0].message


def test_outside_a_pull_request_it_does_not_run(fake):
    assert run_rule("VEP703", vep(123), process_ctx(fake)) == []
    assert fake.requests == []


@pytest.mark.parametrize("status", [403, 503])
def test_api_failure_is_one_note(fake, status):
    fake.add_pull(7, "a" * 40, "a" * 40, labels=[])
    fake.set_pull_body(7, pr_body())
    fake.fail("GET", r"/pulls/7$", status)
    found = check_document(vep(123), process_ctx(fake, pull=7), [get_rule("VEP703"), get_rule("VEP704")])
    assert [(f.rule, f.severity.value) for f in found] == [("VEP703", "info")]
    assert found[0].message.startswith(f"GitHub API error {status}")


@pytest.mark.parametrize("labels", [5, "sig/compute", {"name": "sig/compute"}, None])
def test_labels_that_are_not_a_list_count_as_none(fake, labels):
    ctx = process_ctx(fake, pull=7)
    ctx.github.api.prime("pulls/7", {"number": 7, "labels": labels, "body": pr_body()})
    found = check_document(vep(123), ctx, [get_rule("VEP703"), get_rule("VEP704")])
    assert [(f.rule, f.message) for f in found] == [
        ("VEP703", "Pull request #7 has no `sig/compute` label for the owning SIG sig-compute (its labels: none).")]
