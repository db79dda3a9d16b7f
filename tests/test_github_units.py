"""Small parts of agent/github: the command grammar, the bot test and allowlist, the result
cache key, which changed paths are VEP documents, error messages."""

from __future__ import annotations

import pytest

from agent.github.comment import CacheKey
from agent.github.events import Command, parse_command
from agent.github.gate import is_bot, parse_allowlist
from agent.github.source import ChangedFile, is_vep_candidate, select_documents


@pytest.mark.parametrize("body,expected", [
    ("/vep-review", Command("full")),
    ("  /vep-review  \r\nplease", Command("full")),
    ("/vep-review check", Command("check")),
    ("/vep-review CHECK now", Command("check")),
    ("/vep-review help", Command("help")),
    ("/vep-review review", Command("full")),
    ("/vep-review bogus", Command("help", unknown="bogus")),
])
def test_commands(body, expected):
    assert parse_command(body) == expected


@pytest.mark.parametrize("body", ["/vep-reviewer", "please /vep-review", "> /vep-review", "", None, 42,
                                  "text\n/vep-review"])
def test_not_commands(body):
    assert parse_command(body) is None


def test_bots():
    assert is_bot({"login": "dependabot[bot]", "type": "Bot"})
    assert is_bot({"login": "sneaky[BOT]", "type": "User"})
    assert is_bot({"login": "app", "type": "Bot"})
    assert not is_bot({"login": "botanist", "type": "User"})


def test_allowlist():
    assert parse_allowlist(" Alice, @bob\ncarol ") == {"alice", "bob", "carol"}
    assert parse_allowlist("") == frozenset() and parse_allowlist(None) == frozenset()


def test_cache_key_round_trip_and_rules():
    key = CacheKey("a" * 40, "0123456789ab", "full", "ok")
    assert CacheKey.parse("text\n" + key.marker() + "\nmore") == key
    assert CacheKey.parse("no marker") is None
    assert CacheKey.parse("<!-- vep-review:key head=x -->") is None
    same = CacheKey("a" * 40, "0123456789ab", "full")
    assert key.satisfies(same)
    assert key.satisfies(CacheKey("a" * 40, "0123456789ab", "check"))  # full covers check
    assert not key.satisfies(CacheKey("b" * 40, "0123456789ab", "full"))  # new head
    assert not key.satisfies(CacheKey("a" * 40, "ffffffffffff", "full"))  # new configuration
    failed = CacheKey("a" * 40, "0123456789ab", "full", "failed")
    assert not failed.satisfies(same) and not failed.satisfies(CacheKey("a" * 40, "0123456789ab", "check"))
    check = CacheKey("a" * 40, "0123456789ab", "check", "skipped")
    assert check.satisfies(CacheKey("a" * 40, "0123456789ab", "check")) and not check.satisfies(same)


@pytest.mark.parametrize("path,expected", [
    ("veps/sig-compute/123-x/vep.md", True),
    ("veps/sig-compute/legacy.md", True),
    ("veps/sig-compute/123-x/proposal.md", True),
    ("veps/sig-compute/123-x/images/diagram.md", False),
    ("veps/NNNN-vep-template/vep.md", False),
    ("veps/sig-compute/123-x/diagram.png", False),
    ("docs/vep.md", False),
    ("README.md", False),
])
def test_vep_candidates(path, expected):
    assert is_vep_candidate(path) is expected


class ListingSource:
    def __init__(self, listings):
        self.listings = listings
        self.asked = []

    def list_dir(self, path, ref, dirs_only=False):
        self.asked.append(path)
        return self.listings.get(path)


def test_select_documents():
    changed = [ChangedFile("veps/sig-compute/1-a/vep.md", "modified"),
               ChangedFile("veps/sig-compute/1-a/appendix.md", "added"),
               ChangedFile("veps/sig-compute/2-b/proposal.md", "modified"),
               ChangedFile("veps/sig-compute/3-c/vep.md", "removed"),
               ChangedFile("README.md", "modified")]
    source = ListingSource({"veps/sig-compute/1-a": ["vep.md", "appendix.md"], "veps/sig-compute/2-b": ["proposal.md"]})
    to_check, removed, skipped = select_documents(source, changed, "head")
    assert [c.path for c in to_check] == ["veps/sig-compute/1-a/vep.md", "veps/sig-compute/2-b/proposal.md"]
    assert removed == ["veps/sig-compute/3-c/vep.md"]
    assert skipped == ["veps/sig-compute/1-a/appendix.md: supplementary document beside vep.md, not checked on its own"]
    assert sorted(source.asked) == ["veps/sig-compute/1-a", "veps/sig-compute/2-b"]


def test_describe_gives_one_line_with_a_hint():
    from github import GithubException

    from agent.github.client import describe

    assert describe(GithubException(502, {"message": "Bad\nGateway"}, {})) == \
        "GitHub API error 502: Bad Gateway (GitHub server error; retried and gave up)"
    assert "bad or expired token" in describe(GithubException(401, {"message": "Bad credentials"}, {}))
    assert describe(ConnectionError("refused")).startswith("GitHub API unreachable: ConnectionError: refused")


def test_github_package_does_not_import_pygithub_until_needed():
    import subprocess
    import sys

    code = "import sys, agent.github, agent.github.run; print('github' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_result_cache_key_changes_when_a_vep_freeze_passes(tmp_path):
    """A result from before a release's VEP Freeze must not be reused after it (VEP302's
    verdict may change); days on which no freeze passes keep the key."""
    import datetime as dt

    from agent.github.run import Settings, config_hash
    from agent.github.source import BaseTree

    release = tmp_path / "sig-release/releases/v1.9"
    release.mkdir(parents=True)
    (release / "schedule.yaml").write_text('- what: VEP Freeze\n  when: "2026-12-01"\n')
    tree = BaseTree(tmp_path, "d" * 64, [])

    def key(day):
        return config_hash(tree, Settings(schedules=str(tmp_path / "sig-release"), today=dt.date(2026, 11, day)))

    assert key(20) == key(29)
    assert config_hash(tree, Settings(schedules=str(tmp_path / "sig-release"), today=dt.date(2026, 12, 1))) != key(29)


def test_rule_ids_link_to_their_documentation():
    from agent.github.comment import finding_item, rule_doc_url
    from agent.findings import Finding, Severity

    assert rule_doc_url("VEP401").endswith("/agent/rules/vep401_required_section.py")
    assert rule_doc_url("LLM101").endswith("/docs/llm-review.md")
    llm = Finding(rule="LLM101", name="design-gap", severity=Severity.WARNING, message="m", path="veps/a/1-b/vep.md",
                  line=3, origin="llm")
    assert f"**[LLM101]({rule_doc_url('LLM101')})**" in finding_item(llm, "0123456789", None)


def test_one_gate_for_the_gate_step_and_the_command():
    from agent.github.gate import PermissionUnknown, decide_user

    def answer(value):
        def permission(login):
            if isinstance(value, Exception):
                raise value
            return value
        return permission

    user = {"login": "Someone", "type": "User"}
    assert decide_user(user, "MEMBER", frozenset(), answer({"permission": "write"})).allowed
    assert decide_user(user, "NONE", frozenset(), answer({"permission": "read", "role_name": "maintain"})).allowed
    assert decide_user(user, "NONE", frozenset(["someone"]), None).allowed  # allowlisted: no API needed
    refused = {
        "read": decide_user(user, "NONE", frozenset(), answer({"permission": "read"})),
        "404": decide_user(user, "NONE", frozenset(), answer(None)),
        "first timer": decide_user(user, "first_timer", frozenset(), answer(AssertionError("not asked"))),
        "no token": decide_user(user, "NONE", frozenset(), None),
        "failed": decide_user(user, "NONE", frozenset(), answer(PermissionUnknown("GitHub API error 502"))),
        "odd answer": decide_user(user, "NONE", frozenset(), answer(["write"])),
        "bot": decide_user({"login": "x[bot]"}, "OWNER", frozenset(["x[bot]"]), None),
        "no object": decide_user("Someone", "OWNER", frozenset(), None),
    }
    assert not any(d.allowed for d in refused.values())
    # only a human whose access is known to fall short is told so
    assert {k for k, d in refused.items() if d.reply} == {"read", "404", "first timer", "no token"}
    assert "502" in refused["failed"].reason and refused["bot"].bot
