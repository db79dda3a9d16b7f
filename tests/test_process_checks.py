"""The process checks (VEP7xx) from the front ends: ``vep-review check --github-repo`` and
the Action's ``pull_request`` job, against the fake GitHub server; skipped with one line
without a repository or token; never PyGithub on the ``check`` path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent.cli import main
from tests.fixtures.github.fake_github import FakeGitHub, payload, run_event, standard_pr
from tests.rules.process_helpers import filled_issue, pr_body

VEP = """\
---
title: Example feature
vep-number: "123"
creation-date: "2025-01-31"
status: provisional
authors: ["@jdoe"]
owning-sig: sig-compute
reviewers: [TBD]
approvers: [TBD]
feature-gate: ExampleFeature
---
# VEP #123: Example feature
"""


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server


def write_vep(tmp_path, number=123):
    path = tmp_path / "veps" / "sig-compute" / f"{number}-example" / "vep.md"
    path.parent.mkdir(parents=True)
    path.write_text(VEP.replace("123", str(number)))
    return path


def rules_of(out: str) -> list[str]:
    return [f["rule"] for f in json.loads(out)["findings"] if f["rule"].startswith("VEP7")]


def test_check_with_github_repo_asks_the_api(fake, tmp_path, monkeypatch, capsys):
    fake.add_commit("a" * 40, {})
    fake.add_pull(123, "a" * 40, "a" * 40)  # the VEP number is the VEP's own pull request
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    main(["check", "--format", "json", "--github-repo", fake.repo, str(write_vep(tmp_path))])
    captured = capsys.readouterr()
    assert rules_of(captured.out) == ["VEP701"]
    assert captured.err == ""
    fake.add_issue(123, filled_issue(stage="New", beta="", alpha=""))
    fake.pulls.clear()
    main(["check", "--format", "json", "--github-repo", fake.repo, str(write_vep(tmp_path / "b"))])
    assert rules_of(capsys.readouterr().out) == []


def test_check_without_github_repo_says_so_in_one_line(tmp_path, capsys):
    main(["check", str(write_vep(tmp_path))])
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "vep-review: process checks (VEP7xx) skipped: they need --github-repo OWNER/NAME and GITHUB_TOKEN"]
    for i, quiet in enumerate((["--output-format", "concise"], ["-q"], ["--output-format", "json"])):
        main(["check", *quiet, str(write_vep(tmp_path / str(i)))])  # editors, pre-commit, machines
        assert "skipped" not in capsys.readouterr().err


def test_check_with_github_repo_but_no_token_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    main(["check", "--format", "json", "--github-repo", "kubevirt/enhancements", str(write_vep(tmp_path))])
    captured = capsys.readouterr()
    assert rules_of(captured.out) == []
    assert "GITHUB_TOKEN is not set" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_check_with_a_failing_api_keeps_every_other_finding(fake, tmp_path, monkeypatch, capsys):
    fake.fail("GET", r"/issues/", 503)
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    path = write_vep(tmp_path)
    path.write_text(path.read_text().replace("status: provisional", "status: draft"))
    assert main(["check", "--format", "json", "--github-repo", fake.repo, str(path)]) == 1
    captured = capsys.readouterr()
    findings = json.loads(captured.out)["findings"]
    assert ("VEP206", "error") in {(f["rule"], f["severity"]) for f in findings}
    assert [(f["rule"], f["severity"]) for f in findings if f["rule"].startswith("VEP7")] == [("VEP701", "info")]
    assert captured.err.startswith("vep-review: GitHub API error 503")


def test_check_with_github_repo_imports_no_pygithub(fake, tmp_path):
    path = write_vep(tmp_path)
    code = ("import sys, json, os\n"
            f"os.environ.update(GITHUB_TOKEN='t', GITHUB_API_URL={fake.url!r})\n"
            "from agent.cli import main\n"
            f"main(['check', '--format', 'json', '--github-repo', 'kubevirt/enhancements', {str(path)!r}])\n"
            "print('MODULES=' + json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('github', 'requests', 'urllib3', 'httpx', 'anthropic', 'langgraph', 'pydantic'))))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES="))
    assert json.loads(line[len("MODULES="):]) == []
    assert fake.calls("GET", r"/issues/123$")  # it did ask


def test_the_action_runs_them_on_pull_request_events(fake, monkeypatch, tmp_path, capsys):
    vep = VEP.replace("123", "7").replace("# VEP #7", "# VEP #7")  # VEP 7 is the PR itself
    standard_pr(fake, {"veps/sig-compute/7-example/vep.md": vep}, labels=["sig/storage"])
    monkeypatch.setenv("VEP_REVIEW_PROCESS_CHECKS", "true")
    data = payload("pull_request_opened", **{"pull_request.labels": [{"name": "sig/storage"}],
                                             "pull_request.body": pr_body(tracking="#7")})
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", data) == 1
    out = capsys.readouterr().out
    assert "title=VEP701 tracking-issue::VEP number 7 is a pull request of kubevirt/enhancements" in out
    assert "title=VEP703 pull-request-sig-label::Pull request #7 has no `sig/compute` label" in out
    assert "VEP704" not in out
    assert not fake.calls("GET", r"/pulls/7$")  # labels and description came with the event


def test_the_action_degrades_to_a_note_when_the_api_fails(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake, {"veps/sig-compute/123-example/vep.md": VEP}, labels=["sig/compute"])
    fake.fail("GET", r"/issues/123$", 403, "Resource not accessible by integration")
    monkeypatch.setenv("VEP_REVIEW_PROCESS_CHECKS", "true")
    data = payload("pull_request_opened", **{"pull_request.body": pr_body()})
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", data) == 1  # the new VEP's own errors
    out = capsys.readouterr().out
    assert "::notice file=veps/sig-compute/123-example/vep.md,title=VEP701 tracking-issue::GitHub API error 403" in out
    assert "title=VEP401 required-section::" in out  # every other finding is kept
    assert "1 VEP document" in (tmp_path / "summary.md").read_text()


def test_the_action_without_the_setting_does_not_run_them(fake, monkeypatch, tmp_path, capsys):
    standard_pr(fake, {"veps/sig-compute/123-example/vep.md": VEP})
    monkeypatch.delenv("VEP_REVIEW_PROCESS_CHECKS", raising=False)
    run_event(monkeypatch, tmp_path, fake, "pull_request", payload("pull_request_opened"))
    assert "VEP7" not in capsys.readouterr().out
    assert not fake.calls("GET", r"/issues/\d+$")  # no tracking issue asked


def test_the_pull_request_comes_from_the_event(tmp_path):
    from agent.github.api import pull_from_event

    def event(data):
        path = tmp_path / "event.json"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)
        return str(path)

    number, data = pull_from_event(event(payload("issue_comment_created")))
    assert number == 7 and data["pull_request"]  # the issues API's view of the PR: labels, body
    assert pull_from_event(event(payload("pull_request_opened")))[0] == 7
    assert pull_from_event(event(payload("issue_comment_on_issue"))) == (None, None)
    assert pull_from_event(event("not json")) == (None, None)
    assert pull_from_event(str(tmp_path / "missing.json")) == (None, None)


def test_the_pull_request_is_the_one_of_the_handled_event(fake, monkeypatch, tmp_path, capsys):
    # --event-path names the event; $GITHUB_EVENT_PATH (set by run_event) holds another one
    standard_pr(fake, {"veps/sig-compute/123-example/vep.md": VEP}, labels=["sig/storage"])
    monkeypatch.setenv("VEP_REVIEW_PROCESS_CHECKS", "true")
    handled = tmp_path / "handled.json"
    handled.write_text(json.dumps(payload("pull_request_opened", **{"pull_request.labels": [{"name": "sig/storage"}],
                                                                      "pull_request.body": pr_body()})))
    run_event(monkeypatch, tmp_path, fake, "pull_request", payload("issue_comment_on_issue"),
              "--event-path", str(handled))
    assert "title=VEP703 pull-request-sig-label::Pull request #7 has no `sig/compute` label" in capsys.readouterr().out


def test_pull_from_payload_takes_only_pull_requests():
    from agent.github.api import pull_from_payload

    assert pull_from_payload(payload("pull_request_opened"))[0] == 7
    assert pull_from_payload(payload("issue_comment_on_issue")) == (None, None)
    for odd in (None, [], "x", {"pull_request": {"number": "7"}}, {"issue": {"number": 7}}):
        assert pull_from_payload(odd) == (None, None)
