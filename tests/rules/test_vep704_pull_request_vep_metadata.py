"""VEP704: the pull request description keeps the PR template's VEP Metadata section with
the tracking issue; against the fake GitHub server."""

import pytest

from agent.rules.vep704_pull_request_vep_metadata import tracking_numbers
from tests.conftest import run_rule
from tests.fixtures.github.fake_github import FakeGitHub
from tests.rules.process_helpers import PR_TEMPLATE, pr_body, process_ctx, vep


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        server.add_commit("a" * 40, {})
        server.add_pull(7, "a" * 40, "a" * 40, labels=["sig/compute"])
        yield server


def messages(fake, body, *docs):
    fake.set_pull_body(7, body)
    ctx = process_ctx(fake, pull=7)
    return [f.message for doc in (docs or [vep(123)]) for f in run_rule("VEP704", doc, ctx)]


@pytest.mark.parametrize("link", ["https://github.com/kubevirt/enhancements/issues/123", "#123",
                                  "kubevirt/enhancements#123, #124"])
def test_the_filled_template_passes(fake, link):
    assert messages(fake, pr_body(tracking=link)) == []


def test_the_unfilled_template_names_no_tracking_issue(fake, corpus):
    assert tracking_numbers(PR_TEMPLATE.read_text()) == set()  # the example is in an HTML comment
    assert messages(fake, PR_TEMPLATE.read_text()) == [
        "The VEP Metadata of pull request #7 names no tracking issue (expected #123)."]


def test_another_issue_fails(fake):
    assert messages(fake, pr_body(tracking="https://github.com/kubevirt/enhancements/issues/99")) == [
        "The VEP Metadata of pull request #7 names #99 as tracking issue, but this VEP's number is 123."]


def test_a_description_without_the_section_is_reported_once(fake):
    assert messages(fake, "Adds my VEP.\r\n", vep(123), vep(124, sig="sig-network")) == [
        "The description of pull request #7 has no `### VEP Metadata` section "
        "(the PR template's tracking issue and SIG label)."]


def test_outside_a_pull_request_it_does_not_run(fake):
    assert run_rule("VEP704", vep(123), process_ctx(fake)) == []


def test_an_answer_without_a_number_names_the_pull_request_under_review(fake):
    ctx = process_ctx(fake, pull=7)
    ctx.github.api.prime("pulls/7", {"number": None, "labels": [], "body": "Adds my VEP"})
    (f,) = run_rule("VEP704", vep(123), ctx)
    assert f.message.startswith("The description of pull request #7 has no `### VEP Metadata` section")
