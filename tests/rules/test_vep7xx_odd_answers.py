"""The process rules on odd API answers and issue text: never an internal error, never a
lost finding (a fake server answering whatever JSON it is given)."""

import pytest

from agent.engine import check_document
from agent.rules import all_rules
from agent.rules.vep702_tracking_issue_mismatch import parse_issue
from agent.rules.vep704_pull_request_vep_metadata import tracking_numbers
from tests.fixtures.github.fake_github import FakeGitHub
from tests.rules.process_helpers import process_ctx, vep

PROCESS_RULES = [r for r in all_rules() if r.id.startswith("VEP7")]

ODD_BODIES = [None, "", "**", "**Current Feature Stage**", "**Feature Gate**: `", "**Responsible SIGs**:\nPrimary SIG:",
              "Primary SIG: /sig", "**Timeline**:\n- [x] Alpha\n  - Target:", "* Beta release target (x.y): v",
              "<!-- unterminated comment", "**Reviewers**: @", "\x00\ufeff\u202e", "**Proposal status**: Implementable!",
              "- [ ] GA\n  - Target: 1.2.3.4", "#" * 10000]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_issue_text_parses(body):
    said = parse_issue(body)
    assert isinstance(said, dict)
    assert tracking_numbers(body) is None or isinstance(tracking_numbers(body), set)


@pytest.mark.parametrize("issue", [
    {"body": 5, "labels": None, "state": None},
    {"body": ["x"], "labels": {"name": "sig/compute"}, "repository_url": 7},
    {"labels": [None, 3, {"name": None}], "state": "closed"},
])
def test_odd_issue_json_gives_no_internal_error(issue):
    with FakeGitHub() as fake:
        fake.add_issue(123)
        fake.issues[123].update(issue)
        fake.add_commit("a" * 40, {})
        fake.add_pull(7, "a" * 40, "a" * 40, labels=[])
        fake.set_pull_body(7, None)
        found = check_document(vep(123), process_ctx(fake, pull=7), PROCESS_RULES)
    assert "VEP000" not in {f.rule for f in found}, [f.message for f in found]


def test_a_non_json_answer_is_a_note():
    with FakeGitHub() as fake:
        fake.fail("GET", r"/issues/123$", 200, "ok")  # 200 with a JSON object, but not an issue
        found = check_document(vep(123), process_ctx(fake), PROCESS_RULES)
    assert "VEP000" not in {f.rule for f in found}


def test_property_parse_never_raises():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hypothesis.given(st.text())
    @hypothesis.settings(max_examples=200, deadline=None)
    def run(text):
        assert isinstance(parse_issue(text), dict)
        tracking_numbers(text)

    run()
