"""``vep-review github`` on ``issue_comment`` events, against a fake GitHub REST API on
127.0.0.1: the permission gate, reactions, the one sticky comment, the result cache, the
trust boundary (base-branch configuration, files read through the API at the head SHA) and
failures of GitHub and of the model."""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass

import pytest

from agent.findings import Finding, Severity
from agent.github.comment import STICKY_MARKER, CacheKey
from tests.fixtures.github.fake_github import (
    BAD_VEP,
    BASE_SHA,
    HEAD_SHA,
    VEP_PATH,
    FakeGitHub,
    payload,
    run_event,
    standard_pr,
)

COMMENTS = r"/issues/7/comments$"


@pytest.fixture
def fake():
    server = FakeGitHub().start()
    server.set_permission("maintainer", "write", "maintain")
    yield server
    server.stop()


@dataclass
class FakeLlmOptions:
    enabled: bool = True
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None


class FakeReview:
    """Stands in for agent.review: records calls, adds one LLM finding per document."""

    def __init__(self):
        self.calls: list = []
        self.message = "Upgrade path is not described."
        self.extra: list[Finding] = []
        self.fail: Exception | None = None

    def review_documents(self, items, llm):
        from agent.github.run import deterministic_report

        self.calls.append((items, llm))
        if self.fail is not None:
            raise self.fail
        report = deterministic_report(items)
        for fr, (doc, _) in zip(report.files, items):
            fr.findings.append(Finding(rule="LLM-design", name="design-gap", severity=Severity.WARNING, path=doc.path,
                                       line=3, message=self.message, fix="Describe it.", origin="llm",
                                       category="upgrade-rollback", confidence=0.7, quote="## Overview"))
            fr.findings.extend(f for f in self.extra if f.path == doc.path)
        report.llm_status = "ran: 3 calls, model claude-test"
        report.usage = {"model": "claude-test", "calls": 3, "tokens": 4321, "estimated_cost_usd": 0.0123,
                        "wall_seconds": 4.2}
        return report


@pytest.fixture
def review(monkeypatch):
    fake_review = FakeReview()
    module = types.ModuleType("agent.review")
    module.LlmOptions = FakeLlmOptions
    module.review_documents = fake_review.review_documents
    monkeypatch.setitem(sys.modules, "agent.review", module)
    return fake_review


def bot_comments(fake, number=7):
    return [c for c in fake.comments[number] if c["user"]["login"] == "github-actions[bot]"]


def comment_event(body="/vep-review", **changes):
    return payload("issue_comment_created", **{"comment.body": body, **changes})


# ----------------------------------------------------------------------------- the happy path

def test_member_command_posts_exactly_one_sticky_comment(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 0
    assert len(fake.calls("POST", COMMENTS)) == 1
    assert not fake.calls("PATCH")
    body = bot_comments(fake)[0]["body"]
    assert body.startswith(STICKY_MARKER + "\n<!-- vep-review:key head=" + HEAD_SHA)
    assert f"[`{HEAD_SHA[:12]}`](https://github.com/kubevirt/enhancements/commit/{HEAD_SHA})" in body
    link = f"https://github.com/kubevirt/enhancements/blob/{HEAD_SHA}/{VEP_PATH}?plain=1#L1"
    doc = "https://github.com/kubevirt/vep-review/blob/main/agent/rules/vep104_vep_number_mismatch.py"
    assert f"[L1]({link}) **[VEP104]({doc})** `vep-number-mismatch`" in body  # deterministic part
    assert "**[LLM-design](" in body and "Upgrade path is not described." in body
    assert "<sub>model `claude-test` · 3 calls · 4,321 tokens · ~$0.0123 · 4.2 s</sub>" in body
    assert fake.reactions == [(555, "eyes"), (555, "rocket")]
    assert len(review.calls) == 1
    (doc, ctx), = review.calls[0][0]
    assert doc.path == VEP_PATH and ctx.has_base and ctx.base is None  # new in this PR
    assert "full review" in (tmp_path / "summary.md").read_text()
    assert "posted the review comment" in capsys.readouterr().err


def test_second_run_on_a_new_head_edits_the_same_comment(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event())
    new_head = "d" * 40
    fake.add_commit(new_head, {**fake.commits[HEAD_SHA], VEP_PATH: BAD_VEP.replace("999", "123")})
    fake.pulls[7]["head"] = new_head
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event(**{"comment.id": 556})) == 0
    assert len(fake.calls("POST", COMMENTS)) == 1
    patches = fake.calls("PATCH", r"/issues/comments/\d+$")
    assert len(patches) == 1
    assert patches[0].path.endswith(f"/issues/comments/{bot_comments(fake)[0]['id']}")
    assert len(bot_comments(fake)) == 1
    body = bot_comments(fake)[0]["body"]
    assert f"head={new_head}" in body and "**[VEP104]" in body.split("Resolved since")[1]
    assert "1 resolved" in body and "**[VEP104]" not in body.split("Resolved since")[0]
    assert len(review.calls) == 2


def test_same_head_and_configuration_reuses_the_result(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event())
    before = len(fake.requests)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event(**{"comment.id": 556})) == 0
    assert len(review.calls) == 1  # no second model call
    later = fake.requests[before:]
    assert not [r for r in later if r.method in ("PATCH",) or re.search(COMMENTS, r.path) and r.method == "POST"]
    assert not [r for r in later if r.query.get("ref") == HEAD_SHA]  # not even the VEP is read again
    assert (556, "eyes") in fake.reactions and (556, "rocket") in fake.reactions
    assert "reused" in capsys.readouterr().err
    # a complete full review also answers /vep-review check
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check", **{"comment.id": 557}))
    assert not fake.calls("PATCH")


def test_check_result_does_not_answer_a_full_request(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check"))
    assert review.calls == []
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event(**{"comment.id": 556}))
    assert len(review.calls) == 1 and len(fake.calls("PATCH")) == 1


def test_check_command_is_deterministic_only(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check")) == 0
    assert review.calls == []
    body = bot_comments(fake)[0]["body"]
    assert "### vep-review: deterministic checks" in body
    assert "mode=check llm=skipped" in body
    assert "VEP104" in body and "LLM-design" not in body and "**LLM review:**" not in body
    assert "comment `/vep-review` for the LLM review" in body


def test_help_replies_with_the_usage(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review help")) == 0
    (reply,) = bot_comments(fake)
    assert "`/vep-review check`" in reply["body"] and STICKY_MARKER not in reply["body"]
    assert review.calls == [] and not fake.calls("GET", r"/contents/")
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review frobnicate"))
    assert bot_comments(fake)[-1]["body"].startswith("Unknown command `frobnicate`.")


# ----------------------------------------------------------------------------- the gate

@pytest.mark.parametrize("permission,role", [("read", "read"), ("read", "triage"), ("none", "none")])
def test_outsider_gets_a_short_reply_and_no_model_call(fake, review, monkeypatch, tmp_path, permission, role):
    standard_pr(fake)
    fake.set_permission("outsider", permission, role)
    data = comment_event(**{"comment.user": {"login": "outsider", "type": "User"},
                            "comment.author_association": "CONTRIBUTOR"})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data) == 0
    assert review.calls == []
    assert fake.calls("GET", r"/collaborators/outsider/permission$")
    (reply,) = bot_comments(fake)
    assert "write access" in reply["body"] and STICKY_MARKER not in reply["body"] and len(reply["body"]) < 300
    assert fake.reactions == [] and not fake.calls("GET", r"/pulls/")


def test_outsider_with_on_refused_ignore_gets_nothing(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    data = comment_event(**{"comment.user": {"login": "stranger", "type": "User"}})  # 404: not a collaborator
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data, "--on-refused", "ignore") == 0
    assert review.calls == [] and not fake.calls("POST")


def test_first_timer_is_refused_without_asking_the_api(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    data = comment_event(**{"comment.user": {"login": "newbie", "type": "User"},
                            "comment.author_association": "FIRST_TIMER"})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", data, "--on-refused", "ignore")
    assert fake.requests == [] and review.calls == []


def test_bot_is_refused_silently(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    fake.set_permission("renovate[bot]", "write")
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", payload("issue_comment_bot"),
                     "--allow-users", "renovate[bot]") == 0
    assert fake.requests == [] and review.calls == []


def test_login_ending_in_bot_is_refused_even_as_a_user(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    data = comment_event(**{"comment.user": {"login": "evil[bot]", "type": "User"}})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", data)
    assert fake.requests == [] and review.calls == []


def test_allowlisted_user_runs_without_write_access(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    data = comment_event(**{"comment.user": {"login": "Reviewer", "type": "User"}})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data, "--allow-users", "alice, @reviewer") == 0
    assert not fake.calls("GET", r"/collaborators/")
    assert len(review.calls) == 1 and len(bot_comments(fake)) == 1


def test_custom_role_with_write_permission_is_accepted(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    fake.set_permission("sigchair", "write", "vep-approver")
    data = comment_event(**{"comment.user": {"login": "sigchair", "type": "User"}})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", data)
    assert len(review.calls) == 1


# ----------------------------------------------------------------------------- ignored events

@pytest.mark.parametrize("name", ["issue_comment_on_issue", "issue_comment_edited", "issue_comment_deleted"])
def test_ignored_events_make_no_api_call(fake, review, monkeypatch, tmp_path, capsys, name):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", payload(name)) == 0
    assert fake.requests == [] and review.calls == []
    assert "ignored:" in capsys.readouterr().err


@pytest.mark.parametrize("body", ["LGTM, /vep-review later", "/vep-reviewer", "> /vep-review", ""])
def test_comments_that_are_not_commands_are_ignored(fake, review, monkeypatch, tmp_path, body):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event(body)) == 0
    assert fake.requests == []


# ----------------------------------------------------------------------------- trust boundary

def test_deleted_vep_is_skipped_and_mentioned(fake, review, monkeypatch, tmp_path):
    gone = "veps/sig-compute/100-existing/vep.md"
    standard_pr(fake, {VEP_PATH: BAD_VEP, gone: None})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check"))
    body = bot_comments(fake)[0]["body"]
    assert f"Deleted in this pull request, not checked: `{gone}`." in body
    assert not [r for r in fake.calls("GET", "/contents/" + re.escape(gone))]


def test_fork_pr_is_read_through_the_base_repository_at_the_head_sha(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake, head_repo="someone/enhancements")
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 0
    assert all(r.path.startswith("/repos/kubevirt/enhancements/") for r in fake.requests)
    head_reads = [r for r in fake.calls("GET", r"/contents/") if r.query.get("ref") == HEAD_SHA]
    assert [r.path for r in head_reads] == [f"/repos/kubevirt/enhancements/contents/{VEP_PATH}"]
    assert "fork pull request from someone/enhancements" in capsys.readouterr().err
    assert "VEP104" in bot_comments(fake)[0]["body"]


def test_configuration_comes_from_the_base_branch_not_the_pr(fake, review, monkeypatch, tmp_path):
    standard_pr(fake, {VEP_PATH: BAD_VEP, ".vep-review.yaml": "disable: [VEP104]\n"})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check"))
    assert "VEP104" in bot_comments(fake)[0]["body"]  # the PR cannot switch rules off
    config_reads = fake.calls("GET", r"/contents/\.vep-review\.yaml$")
    assert config_reads and all(r.query["ref"] == BASE_SHA for r in config_reads)


def test_base_branch_configuration_applies(fake, review, monkeypatch, tmp_path):
    from tests.fixtures.github.fake_github import BASE_TREE

    standard_pr(fake, base_files={**BASE_TREE, ".vep-review.yaml": "disable: [VEP104]\n"})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check"))
    body = bot_comments(fake)[0]["body"]
    assert "VEP104" not in body and "VEP201" in body


def test_invalid_base_configuration_fails_clearly(fake, review, monkeypatch, tmp_path, capsys):
    from tests.fixtures.github.fake_github import BASE_TREE

    standard_pr(fake, base_files={**BASE_TREE, ".vep-review.yaml": "disable: [NOPE999]\n"})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check")) == 2
    out = capsys.readouterr().out
    assert "::error" in out and "base branch configuration is invalid" in out
    assert (555, "confused") in fake.reactions
    (comment,) = bot_comments(fake)  # the PR is told why, in the one sticky comment
    body = comment["body"]
    assert body.startswith(STICKY_MARKER) and "### vep-review: not run" in body
    assert "NOPE999" in body and "```" in body  # the reason, as inert code
    assert "vep-review:key" not in body  # not a result: the next request tries again
    fixed = {**BASE_TREE, ".vep-review.yaml": "disable: [VEP104]\n"}
    standard_pr(fake, base_files=fixed)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check", **{"comment.id": 556})) in (0, 1)
    (comment,) = bot_comments(fake)  # the same comment, now holding the review
    assert "vep-review:key" in comment["body"]


def test_file_over_one_megabyte_is_read_as_a_git_blob(fake, review, monkeypatch, tmp_path):
    big = BAD_VEP + ("filler " * 150 + "\n") * 1000
    assert len(big) > 1024 * 1024
    standard_pr(fake, {VEP_PATH: big})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check"))
    assert fake.calls("GET", r"/git/blobs/[0-9a-f]{40}$")
    assert "VEP104" in bot_comments(fake)[0]["body"]


def test_a_planted_marker_in_a_human_comment_is_not_the_sticky_comment(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    planted = fake.add_comment(7, f"{STICKY_MARKER}\n" + CacheKey(HEAD_SHA, "x", "full", "ok").marker(), "mallory")
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event())
    assert len(review.calls) == 1  # the planted cache key was not trusted
    assert not fake.calls("PATCH") and len(fake.calls("POST", COMMENTS)) == 1
    assert planted["body"].startswith(STICKY_MARKER)


def test_supplementary_file_beside_vep_md_is_not_checked(fake, review, monkeypatch, tmp_path):
    appendix = "veps/sig-compute/100-existing/appendix.md"
    standard_pr(fake, {appendix: "# Appendix\n\nNotes.\n"})
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check"))
    body = bot_comments(fake)[0]["body"]
    assert "supplementary document beside vep.md" in body and "0 VEP documents" in body


# ----------------------------------------------------------------------------- model output

def test_model_text_is_rendered_inert(fake, review, monkeypatch, tmp_path):
    review.message = "Ask @alice and @kubevirt/sig-network <img src=x onerror=alert(1)> [click](https://evil.example)"
    standard_pr(fake)
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event())
    body = bot_comments(fake)[0]["body"]
    assert "@alice" not in body and "@kubevirt/sig-network" not in body
    assert "@\u200dalice" in body
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "](https://evil.example)" not in body


def test_long_results_are_truncated_under_the_comment_limit(fake, review, monkeypatch, tmp_path):
    review.extra = [Finding(rule="LLM-design", name="design-gap", severity=Severity.INFO, path=VEP_PATH, line=i,
                            message=f"Concern {i}: " + "words " * 200, origin="llm") for i in range(1, 200)]
    standard_pr(fake)
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event())
    body = bot_comments(fake)[0]["body"]
    assert len(body) <= 60000
    assert "more findings not shown" in body
    assert "VEP104" in body and "<sub>model `claude-test`" in body  # errors and the footer survive
    assert "Concern 199" in (tmp_path / "summary.md").read_text()  # the job summary has room for all


def test_llm_failure_keeps_the_deterministic_part_and_says_why(fake, review, monkeypatch, tmp_path):
    review.fail = RuntimeError("ANTHROPIC_API_KEY is not set")
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 0
    body = bot_comments(fake)[0]["body"]
    assert "VEP104" in body and "VEP201" in body
    assert "**LLM review:** LLM review not run: RuntimeError: ANTHROPIC_API_KEY is not set" in body
    assert "llm=failed" in body
    run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event(**{"comment.id": 556}))
    assert len(review.calls) == 2  # a failed LLM part is not reused: asking again retries it


def test_real_review_without_an_api_key(fake, monkeypatch, tmp_path):
    """The real agent.review (no ANTHROPIC_API_KEY): the LLM part is skipped with a reason."""
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 0
    body = bot_comments(fake)[0]["body"]
    assert "VEP104" in body and "VEP201" in body  # the deterministic part is complete
    assert "**LLM review:** skipped: ANTHROPIC_API_KEY is not set" in body
    assert "mode=full llm=failed" in body  # not cached: with a key, asking again runs the LLM part


# ----------------------------------------------------------------------------- GitHub failures

def test_secondary_rate_limit_is_retried_then_fails_clearly(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.fail("GET", r"/pulls/7$", 403, "You have exceeded a secondary rate limit. Please wait a few minutes "
                                         "before you try again.")
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 3
    assert len(fake.calls("GET", r"/pulls/7$")) == 3  # the first try and --retries 2
    captured = capsys.readouterr()
    assert "::error title=vep-review::GitHub API failed: GitHub API error 403: You have exceeded a secondary " \
           "rate limit" in captured.out
    assert "rate limited" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert (555, "confused") in fake.reactions and review.calls == []


def test_server_errors_are_retried_then_fail_clearly(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.fail("GET", COMMENTS, 502, "Bad Gateway")
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 3
    assert len(fake.calls("GET", COMMENTS)) == 3
    out = capsys.readouterr().out
    assert "GitHub API error 502: Bad Gateway (GitHub server error; retried and gave up)" in out


def test_a_transient_error_is_absorbed_by_the_retry(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    fake.fail("GET", r"/pulls/7/files$", 503, "Unavailable", times=1)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 0
    assert len(fake.calls("GET", r"/pulls/7/files$")) == 2 and len(bot_comments(fake)) == 1


def test_comment_post_is_not_retried_on_a_server_error(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    fake.fail("POST", COMMENTS, 502, "Bad Gateway")
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event()) == 3
    assert len(fake.calls("POST", COMMENTS)) == 1  # a retried POST could post the comment twice


def test_missing_event_file_is_a_clear_usage_error(monkeypatch, capsys):
    from agent.github import main

    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main([]) == 2
    assert "GITHUB_EVENT_PATH is not set" in capsys.readouterr().out


def test_unsupported_event_is_a_usage_error(monkeypatch, capsys):
    from agent.github import main

    assert main(["--event-name", "push", "--event-path", "/nonexistent"]) == 2
    assert "unsupported event 'push'" in capsys.readouterr().out


def test_too_many_documents_for_the_llm_review(fake, review, monkeypatch, tmp_path):
    files = {f"veps/sig-compute/{n}-feature/vep.md": BAD_VEP.replace("999", str(n)) for n in (301, 302, 303)}
    standard_pr(fake, files)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event(), "--max-llm-documents", "2") == 0
    assert review.calls == []
    body = bot_comments(fake)[0]["body"]
    assert "3 VEP documents changed, more than the 2 the LLM review takes at once" in body
    assert body.count("**[VEP201](") == 3 and "llm=failed" in body


def test_outsider_is_told_once_per_pull_request(fake, review, monkeypatch, tmp_path):
    standard_pr(fake)
    fake.set_permission("outsider", "read", "read")
    data = comment_event(**{"comment.user": {"login": "outsider", "type": "User"},
                            "comment.author_association": "CONTRIBUTOR"})
    for _ in range(3):
        assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data) == 0
    (reply,) = bot_comments(fake)
    assert "write access" in reply["body"] and "login=outsider" in reply["body"]
    fake.set_permission("another", "read", "read")
    other = comment_event(**{"comment.user": {"login": "another", "type": "User"},
                             "comment.author_association": "CONTRIBUTOR"})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", other) == 0
    assert len(bot_comments(fake)) == 2 and review.calls == []


def test_a_failing_refusal_reply_is_logged_not_fatal(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.set_permission("outsider", "read", "read")
    fake.fail("POST", r"/issues/7/comments$", 502, "boom")
    data = comment_event(**{"comment.user": {"login": "outsider", "type": "User"},
                            "comment.author_association": "CONTRIBUTOR"})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data) == 0
    err = capsys.readouterr().err
    assert "cannot reply: GitHub API error 502" in err and "Traceback" not in err


def test_a_comment_author_that_is_not_an_object_is_refused(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    data = comment_event(**{"comment.user": "maintainer"})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data) == 0
    captured = capsys.readouterr()
    assert "refused: the comment has no author login" in captured.err and "unexpected" not in captured.out
    assert review.calls == [] and not fake.calls("POST")


def test_a_failing_permission_api_refuses_without_a_reply(fake, review, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.fail("GET", r"/permission$", 502)
    data = comment_event(**{"comment.user": {"login": "maybe-writer", "type": "User"},
                            "comment.author_association": "CONTRIBUTOR"})
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", data) == 0
    assert "refused: cannot check the permission of maybe-writer" in capsys.readouterr().err
    assert review.calls == [] and not fake.calls("POST")  # as the gate step: no reply when access is unknown


@pytest.mark.parametrize("pattern", [r"/pulls/7$", r"/pulls/7/files$", r"/contents/", r"/issues/7/comments$"])
def test_an_api_answer_of_the_wrong_shape_fails_clearly(fake, review, monkeypatch, tmp_path, capsys, pattern):
    standard_pr(fake)
    fake.fail("GET", pattern, 200, "odd")
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", comment_event("/vep-review check")) == 3
    out = capsys.readouterr().out
    assert "GitHub API failed: the GitHub API's answer for " in out and "unexpected failure" not in out
    assert fake.reactions[-1][1] == "confused" and review.calls == []
