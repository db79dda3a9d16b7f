"""``vep-review github`` on ``pull_request`` events: the deterministic checks of the changed
VEP files as annotations and a job summary, exit code 1 on error-level findings; read-only
(no comment, no reaction)."""

from __future__ import annotations

import pytest

from tests.fixtures.github.fake_github import (
    BASE_SHA,
    HEAD_SHA,
    VEP_PATH,
    FakeGitHub,
    payload,
    run_event,
    standard_pr,
)


@pytest.fixture
def fake():
    server = FakeGitHub().start()
    yield server
    server.stop()


def writes(fake):
    return [r for r in fake.requests if r.method != "GET"]


def test_error_findings_become_annotations_a_summary_and_exit_1(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 1
    out = capsys.readouterr().out
    assert f"::error file={VEP_PATH},line=1,title=VEP104 vep-number-mismatch::" in out
    assert f"::error file={VEP_PATH},line=1,title=VEP201 front-matter-missing::" in out
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("### vep-review: deterministic checks")
    assert STICKY_NOT_IN(summary)
    assert f"[L1](https://github.com/kubevirt/enhancements/blob/{HEAD_SHA}/{VEP_PATH}?plain=1#L1) **[VEP104](" in summary
    assert writes(fake) == []  # the pull_request job only reads


def STICKY_NOT_IN(text: str) -> bool:
    return "vep-review:sticky" not in text and "vep-review:key" not in text


def test_heads_and_bases_come_from_the_payload(fake, monkeypatch, tmp_path):
    standard_pr(fake)
    run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened"))
    assert not fake.calls("GET", r"/pulls/7$")  # the payload has the SHAs: no extra call
    refs = {r.query.get("ref") for r in fake.calls("GET", r"/contents/")}
    assert refs == {BASE_SHA, HEAD_SHA}


def test_fork_pull_request_is_read_from_the_base_repository(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake, head_repo="someone/enhancements")
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_fork_synchronize")) == 1
    assert all(r.path.startswith("/repos/kubevirt/enhancements/") for r in fake.requests)
    assert "VEP104" in capsys.readouterr().out


def test_a_pr_without_vep_changes_passes(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake, {"README.md": "# changed\n"})
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 0
    assert "::error" not in capsys.readouterr().out
    assert "changes no VEP document" in (tmp_path / "summary.md").read_text()


def test_clean_vep_change_passes(fake, monkeypatch, tmp_path, corpus):
    path = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = (corpus / path).read_bytes()
    base = {path: text, "veps/sig-compute/1-x/vep.md": "# VEP #1: x\n"}
    standard_pr(fake, {path: text + b"\nOne more sentence.\n"}, base_files=base)
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 0
    summary = (tmp_path / "summary.md").read_text()
    assert "1 VEP document" in summary and "**No problems found** in 1 VEP document." in summary


def test_closed_pull_request_is_ignored(fake, monkeypatch, tmp_path):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_closed")) == 0
    assert fake.requests == []


def test_github_failure_is_exit_3_without_traceback(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.fail("GET", r"/pulls/7/files$", 500, "Internal Server Error")
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 3
    assert len(fake.calls("GET", r"/pulls/7/files$")) == 3
    captured = capsys.readouterr()
    assert "::error title=vep-review::GitHub API failed: GitHub API error 500" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_missing_token_permission_is_explained(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.fail("GET", r"/pulls/7/files$", 403, "Resource not accessible by integration")
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 3
    assert len(fake.calls("GET", r"/pulls/7/files$")) == 1  # a plain 403 is not retried
    assert "the token lacks a permission" in capsys.readouterr().out


def test_malformed_payload_is_a_usage_error(fake, monkeypatch, tmp_path, capsys):
    data = payload("pull_request_opened")
    del data["pull_request"]["head"]
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", data) == 2
    assert "has no number, head.sha or base.sha" in capsys.readouterr().out


def test_labels_that_are_not_a_list_are_no_labels(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    data = payload("pull_request_opened", **{"pull_request.labels": 5})
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", data) == 1  # BAD_VEP's errors, no crash
    assert "unexpected failure" not in capsys.readouterr().out


@pytest.mark.parametrize("changes", [{"pull_request.head": {"sha": 5}}, {"pull_request.base": "main"},
                                     {"pull_request": []}])
def test_a_payload_of_the_wrong_shape_is_a_usage_error(fake, monkeypatch, tmp_path, capsys, changes):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened", **changes)) == 2
    assert "has no number, head.sha or base.sha" in capsys.readouterr().out


def test_an_action_that_is_not_a_string_is_ignored(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened", action=["opened"])) == 0
    assert "ignored: pull_request" in capsys.readouterr().err and not fake.requests


@pytest.mark.parametrize("pattern", [r"/pulls/7/files$", r"/contents/"])
def test_an_api_answer_of_the_wrong_shape_is_an_api_failure(fake, monkeypatch, tmp_path, capsys, pattern):
    standard_pr(fake)
    fake.fail("GET", pattern, 200, "odd")  # an object where GitHub sends a list, or a file without fields
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 3
    out = capsys.readouterr().out
    assert "GitHub API failed: the GitHub API's answer for " in out and "is not what GitHub sends" in out


def test_a_comment_list_of_the_wrong_shape_loses_no_finding(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake)
    fake.fail("GET", r"/issues/7/comments$", 200, "odd")
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened")) == 1
    captured = capsys.readouterr()
    assert "cannot read the review comment (the GitHub API's answer for the comments" in captured.err
    assert "title=VEP201" in captured.out
