"""VEP701: the vep-number is an issue of the repository, not a pull request (as
kubevirt/enhancements' validate_vep.py), against the fake GitHub server."""

import pytest

from agent.engine import check_document
from agent.rules import all_rules
from tests.conftest import make_ctx, make_doc, run_rule
from tests.fixtures.github.fake_github import FakeGitHub
from tests.rules.process_helpers import filled_issue, process_ctx, vep


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server


def test_an_issue_of_the_repository_passes(fake):
    fake.add_issue(123, filled_issue())
    assert run_rule("VEP701", vep(123), process_ctx(fake)) == []
    assert [r.path for r in fake.calls("GET")] == ["/repos/kubevirt/enhancements/issues/123"]


def test_a_pull_request_number_fails(fake):
    fake.add_commit("a" * 40, {})
    fake.add_pull(317, "a" * 40, "a" * 40)
    (f,) = run_rule("VEP701", vep(317), process_ctx(fake))
    assert f.severity.value == "error" and f.line == 3  # the vep-number line
    assert f.message == ("VEP number 317 is a pull request of kubevirt/enhancements, not an issue: "
                         "the VEP number is the number of the VEP's tracking issue.")


def test_a_number_that_is_no_issue_fails(fake):
    (f,) = run_rule("VEP701", vep(999), process_ctx(fake))
    assert "GitHub has no issue #999" in f.message


def test_an_issue_moved_to_another_repository_fails(fake):
    fake.add_issue(123, "", repo="kubevirt/kubevirt")
    (f,) = run_rule("VEP701", vep(123), process_ctx(fake))
    assert "moved from kubevirt/enhancements to kubevirt/kubevirt" in f.message


def test_a_vep_without_front_matter_uses_its_directory_number(fake):
    doc = make_doc("# VEP #55: Old one\n\n## Overview\n\nText.\n", "veps/sig-storage/55-old-one/vep.md")
    (f,) = run_rule("VEP701", doc, process_ctx(fake))
    assert "no issue #55" in f.message and f.line is None
    assert f.severity.value == "warning"  # not yet migrated: upstream's validator only warns
    (f,) = run_rule("VEP701", doc, process_ctx(fake, has_base=True))  # new in this change: enforced
    assert f.severity.value == "error"


def test_without_a_repository_nothing_is_asked():
    assert run_rule("VEP701", vep(317), make_ctx()) == []


@pytest.mark.parametrize("status", [403, 500, 503])
def test_an_api_failure_is_one_note_and_the_review_is_kept(fake, status):
    fake.fail("GET", r"/issues/", status, "API rate limit exceeded" if status == 403 else "Server Error")
    ctx = process_ctx(fake)
    bad = vep(123, stage="delta")  # a VEP206 error that must survive
    found = check_document(bad, ctx) + check_document(vep(124), ctx)
    notes = [f for f in found if f.rule.startswith("VEP7")]
    assert [(f.rule, f.severity.value) for f in notes] == [("VEP701", "info")]
    assert notes[0].message.startswith(f"GitHub API error {status} on GET /repos/kubevirt/enhancements/issues/123")
    assert "VEP206" in {f.rule for f in found}
    # after the failure the API is not asked again in this run, not even for another issue
    assert [r.path for r in fake.calls("GET")] == ["/repos/kubevirt/enhancements/issues/123"]


def test_a_timeout_is_a_note(fake):
    from agent.github.api import ProcessContext, RestApi

    api = RestApi("kubevirt/enhancements", "t", "http://127.0.0.1:9")  # discard port: connection refused
    (f,) = run_rule("VEP701", vep(123), make_ctx(github=ProcessContext(api)))
    assert f.severity.value == "info" and f.message.startswith("GitHub API unreachable")


def test_answers_are_cached_per_run(fake):
    fake.add_issue(123, filled_issue())
    ctx = process_ctx(fake)
    rules = [r for r in all_rules() if r.id.startswith("VEP7")]
    for _ in range(3):
        check_document(vep(123), ctx, rules)
    assert len(fake.calls("GET", r"/issues/123$")) == 1


def test_the_token_is_never_shown(fake):
    from agent.github.api import process_context

    process, _ = process_context(fake.repo, "secret-token", fake.url)
    assert "secret-token" not in repr(process)
