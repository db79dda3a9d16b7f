"""The Action's first step (agent/github/pregate.py): the cheap checks before anything is
installed or the key is in an environment; at most one refusal reply per user per pull
request; standard library only. Against the fake GitHub server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.github.api import RestApi
from agent.github.pregate import FULL_LOCK, REFUSAL, decide, reply_once
from tests.fixtures.github.fake_github import FakeGitHub, payload

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        server.add_commit("a" * 40, {})
        server.add_pull(7, "a" * 40, "a" * 40)
        yield server


def comment(body="/vep-review", login="maintainer", association="MEMBER", user_type="User"):
    return payload("issue_comment_created", **{"comment.body": body, "comment.user.login": login,
                                               "comment.user.type": user_type,
                                               "comment.author_association": association})


def api_of(fake):
    return RestApi(fake.repo, "test-token", fake.url)


def test_pull_request_runs_the_checks_without_any_call(fake):
    v = decide("pull_request", payload("pull_request_opened"), api_of(fake), frozenset())
    assert (v.run, v.lock) == (True, "action-check") and fake.requests == []


@pytest.mark.parametrize("body, lock", [("/vep-review", "action-full"), ("/vep-review check", "action-check"),
                                        ("/vep-review help", "action-check")])
def test_a_writer_goes_on_with_the_lock_of_the_command(fake, body, lock):
    fake.set_permission("maintainer", "write")
    v = decide("issue_comment", comment(body), api_of(fake), frozenset())
    assert (v.run, v.lock, v.reply_to) == (True, lock, None)


@pytest.mark.parametrize("data", [
    comment("LGTM, and /vep-review later"),
    payload("issue_comment_created", action="edited"),
    payload("issue_comment_on_issue"),
])
def test_non_commands_stop_without_an_api_call(fake, data):
    assert decide("issue_comment", data, api_of(fake), frozenset()).run is False
    assert fake.requests == []


def test_bots_are_refused_silently(fake):
    v = decide("issue_comment", comment(login="renovate[bot]", user_type="Bot"), api_of(fake), frozenset(["renovate[bot]"]))
    assert (v.run, v.reply_to) == (False, None) and fake.requests == []


def test_allowlist_and_prefilter(fake):
    assert decide("issue_comment", comment(login="Reviewer"), api_of(fake), frozenset(["reviewer"])).run is True
    v = decide("issue_comment", comment(login="newbie", association="FIRST_TIMER"), api_of(fake), frozenset())
    assert (v.run, v.reply_to, v.number) == (False, "newbie", 7) and fake.requests == []


def test_read_access_is_refused_and_told_once(fake):
    fake.set_permission("reader", "read")
    v = decide("issue_comment", comment(login="reader", association="CONTRIBUTOR"), api_of(fake), frozenset())
    assert (v.run, v.reply_to) == (False, "reader")
    for _ in range(3):
        reply_once(api_of(fake), 7, "reader", "github-actions[bot]")
    replies = [c for c in fake.comments[7] if REFUSAL in c["body"]]
    assert len(replies) == 1 and "@" not in replies[0]["body"].split("-->", 1)[1]  # mentions nobody
    assert "already told" in reply_once(api_of(fake), 7, "READER", "github-actions[bot]")
    # another user still gets their one reply; a human's comment holding the marker does not count
    fake.add_comment(7, "<!-- vep-review:refused login=other -->", "other")
    reply_once(api_of(fake), 7, "other", "github-actions[bot]")
    assert len([c for c in fake.comments[7] if REFUSAL in c["body"]]) == 2


def test_not_a_collaborator_and_ignore(fake):
    v = decide("issue_comment", comment(login="stranger", association="NONE"), api_of(fake), frozenset(), "ignore")
    assert (v.run, v.reply_to) == (False, None)


def test_a_failing_permission_api_refuses_without_a_reply(fake):
    fake.fail("GET", r"/permission$", 502)
    v = decide("issue_comment", comment(), api_of(fake), frozenset())
    assert (v.run, v.reply_to) == (False, None) and "502" in v.reason


def test_the_step_uses_the_standard_library_only_and_writes_outputs(fake, tmp_path):
    fake.set_permission("maintainer", "admin")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(comment()))
    out = tmp_path / "output"
    code = ("import runpy, sys\n"
            "sys.argv = ['pregate']\n"
            "try:\n    runpy.run_module('agent.github.pregate', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "extra = sorted(m for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names "
            "and m.split('.')[0] not in ('agent', '__main__'))\n"
            "print('EXTRA=' + ','.join(extra))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_REPOSITORY": fake.repo, "GITHUB_TOKEN": "t", "GITHUB_API_URL": fake.url, "GITHUB_OUTPUT": str(out)}
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "EXTRA=\n" in proc.stdout, proc.stdout + proc.stderr
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert outputs == {"run": "true", "lock": FULL_LOCK, "llm": "true", "reason": "maintainer has admin access"}


def test_odd_payloads_and_answers_refuse_without_a_traceback(fake):
    data = comment()
    data["comment"]["user"] = "maintainer"  # not an object
    assert decide("issue_comment", data, api_of(fake), frozenset()).run is False
    fake.fail("GET", r"/permission$", 200, "odd")  # an object without a permission
    v = decide("issue_comment", comment(), api_of(fake), frozenset())
    assert v.run is False and "has none access" in v.reason


def test_odd_comment_pages_do_not_stop_the_one_reply(fake):
    fake.add_comment(7, "<!-- vep-review:refused login=reader -->", "someone")
    fake.comments[7].append({"id": 99, "body": None, "user": "github-actions[bot]"})  # a user that is no object
    assert reply_once(api_of(fake), 7, "reader", "github-actions[bot]") == "replied to reader on #7"
    assert "already told" in reply_once(api_of(fake), 7, "reader", "github-actions[bot]")
    fake.fail("GET", r"/issues/7/comments$", 200, "odd", times=1)  # a page that is an object, not a list
    assert reply_once(api_of(fake), 7, "other", "github-actions[bot]") == "replied to other on #7"


def test_told_already_reads_a_bounded_number_of_comments():
    from agent.github.pregate import MAX_COMMENTS_SEEN, told_already

    mine = ("github-actions[bot]", "<!-- vep-review:refused login=reader -->")
    assert told_already([("x", "")] * 3 + [mine], "Reader", "GitHub-Actions[bot]")
    assert not told_already([("reader", mine[1])], "reader", "github-actions[bot]")  # planted by a human
    assert not told_already(iter([("x", "")] * MAX_COMMENTS_SEEN + [mine]), "reader", "github-actions[bot]")
