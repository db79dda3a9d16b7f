"""VEP301 status-transition: allowed and forbidden changes of ``status`` against a base."""

from __future__ import annotations

import pytest

from agent.document import read
from agent.rules.vep301_status_transition import ALLOWED, STATES, TERMINAL
from tests.conftest import CORPUS, make_ctx, make_doc, need, run_rule

VEP307 = CORPUS / "veps" / "sig-network" / "307-vhostuser-binding-plugin" / "vep.md"


def doc_with(status: str, extra: str = "") -> object:
    return make_doc(f"""
        ---
        title: Example
        vep-number: 123
        status: {status}
        milestone:
          alpha: "v1.8"
        {extra}
        ---

        # VEP #123: Example
        """)


def transition(old: str, new: str):
    return run_rule("VEP301", doc_with(new), make_ctx(base=doc_with(old), has_base=True))


ALLOWED_PAIRS = [(old, new) for old, targets in ALLOWED.items() for new in targets]
FORBIDDEN_PAIRS = [(old, new) for old in STATES for new in STATES if new != old and new not in ALLOWED[old]]


def test_the_table_matches_the_governance_states():
    assert ALLOWED["provisional"] == ("implementable", "deferred", "rejected", "withdrawn", "replaced")
    assert ALLOWED["implementable"] == ("implemented", "deferred", "rejected", "withdrawn", "replaced")
    assert ALLOWED["implemented"] == ("replaced",)
    assert TERMINAL == {"deferred", "rejected", "withdrawn", "replaced"}
    assert all(ALLOWED[s] == () for s in TERMINAL)


@pytest.mark.parametrize(("old", "new"), ALLOWED_PAIRS)
def test_allowed_transitions_pass(old, new):
    assert transition(old, new) == []


@pytest.mark.parametrize(("old", "new"), FORBIDDEN_PAIRS)
def test_forbidden_transitions_fail(old, new):
    findings = transition(old, new)
    assert [f.rule for f in findings] == ["VEP301"]
    f = findings[0]
    assert f.severity.value == "error"
    assert f.line == 4  # the status line of the checked version
    assert f"`{old}`" in f.message and f"`{new}`" in f.message
    if old in TERMINAL:
        assert "terminal" in f.message and "allowed targets: none" in f.message
    else:
        assert ", ".join(ALLOWED[old]) in f.message
        assert ", ".join(ALLOWED[old]) in f.fix


def test_skipping_implementable_is_named():
    (f,) = transition("provisional", "implemented")
    assert "skips `implementable`" in f.message


def test_moving_back_is_named():
    (f,) = transition("implemented", "implementable")
    assert "does not move back" in f.message
    assert "replaced" in f.fix


@pytest.mark.parametrize("status", STATES)
def test_unchanged_status_passes(status):
    assert transition(status, status) == []


def test_without_a_base_nothing_is_checked():
    ctx = make_ctx(base=doc_with("deferred"), has_base=False)
    assert run_rule("VEP301", doc_with("implementable"), ctx) == []


@pytest.mark.parametrize("status", STATES)
def test_a_new_file_may_start_in_any_status(status):
    assert run_rule("VEP301", doc_with(status), make_ctx(base=None, has_base=True)) == []


def test_a_legacy_base_without_front_matter_allows_any_initial_status():
    legacy = make_doc("""
        # VEP #123: Example

        ## Overview

        Text.
        """)
    assert legacy.front_matter is None
    for status in ("implemented", "implementable", "deferred"):
        assert run_rule("VEP301", doc_with(status), make_ctx(base=legacy, has_base=True)) == []


@pytest.mark.parametrize("odd", ['"Implementable"', "[implementable]", "", "~", "{a: b}", "42", "implementable-ish"])
def test_invalid_or_odd_status_values_are_left_to_the_front_matter_rules(odd):
    # the checked version's status is odd
    assert run_rule("VEP301", doc_with(odd), make_ctx(base=doc_with("deferred"), has_base=True)) == []
    # the base version's status is odd
    assert run_rule("VEP301", doc_with("implemented"), make_ctx(base=doc_with(odd), has_base=True)) == []


def test_unreadable_front_matter_does_not_raise():
    broken = make_doc("""
        ---
        status: [implementable
        ---

        # VEP #123: Example
        """)
    assert broken.front_matter.error is not None
    assert run_rule("VEP301", broken, make_ctx(base=doc_with("deferred"), has_base=True)) == []
    assert run_rule("VEP301", doc_with("implemented"), make_ctx(base=broken, has_base=True)) == []


def test_status_with_surrounding_spaces_is_read():
    findings = run_rule("VEP301", doc_with('" implemented "'), make_ctx(base=doc_with("provisional"), has_base=True))
    assert [f.rule for f in findings] == ["VEP301"]


# --- real document: VEP 307 (status deferred), edited minimally -------------------------------


def _vep307_copy(tmp_path, edit):
    src = need(VEP307)
    text = src.read_text(encoding="utf-8")
    edited = edit(text)
    dest = tmp_path / "veps" / "sig-network" / "307-vhostuser-binding-plugin" / "vep.md"
    dest.parent.mkdir(parents=True)
    dest.write_text(edited, encoding="utf-8")
    return read(str(src), str(src), "veps/sig-network/307-vhostuser-binding-plugin/vep.md"), read(str(dest))


def test_vep307_deferred_to_implementable_fails(tmp_path):
    def revive(text):
        assert "status: deferred\n" in text
        return text.replace("status: deferred\n", "status: implementable\n", 1)

    base, doc = _vep307_copy(tmp_path, revive)
    findings = run_rule("VEP301", doc, make_ctx(base=base, has_base=True))
    assert [f.rule for f in findings] == ["VEP301"]
    assert findings[0].line == doc.front_matter.line_of("status") == 5
    assert "`deferred`" in findings[0].message and "`implementable`" in findings[0].message


def test_vep307_text_edit_passes(tmp_path):
    base, doc = _vep307_copy(tmp_path, lambda text: text.replace("## Overview\n", "## Overview\n\nA clarification.\n", 1))
    assert doc.text != base.text
    assert run_rule("VEP301", doc, make_ctx(base=base, has_base=True)) == []
