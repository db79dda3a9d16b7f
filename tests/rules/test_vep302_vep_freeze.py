"""VEP302 vep-freeze: moving into implementable, or retargeting an implementable VEP, after
the VEP Freeze of the targeted release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agent.document import read
from agent.rules.vep302_vep_freeze import release_of
from agent.schedules import load_freezes
from tests.conftest import CORPUS, SIG_RELEASE, make_ctx, make_doc, need, run_rule

VEP307 = CORPUS / "veps" / "sig-network" / "307-vhostuser-binding-plugin" / "vep.md"
FREEZES = {"v1.7": dt.date(2025, 9, 3), "v1.8": dt.date(2026, 1, 7), "v1.9": dt.date(2026, 4, 30)}
BEFORE, ON, AFTER = dt.date(2026, 1, 6), dt.date(2026, 1, 7), dt.date(2026, 1, 20)


def doc_with(status: str = "implementable", alpha: str = '"v1.8"', more: str = "", body: str = "Text.") -> object:
    """Front matter: line 4 status, line 6 milestone, line 7 milestone.alpha, ``more`` from line 8."""
    return make_doc(f"""
        ---
        title: Example
        vep-number: 123
        status: {status}
        stage: alpha
        milestone:
          alpha: {alpha}
        {more}
        ---

        # VEP #123: Example

        {body}
        """)


def ctx_for(base, today=AFTER, labels=(), freezes=None, has_base=True, **kw):
    return make_ctx(base=base, has_base=has_base, freezes=FREEZES if freezes is None else freezes, today=today,
                    labels=frozenset(labels), **kw)


def check(doc, ctx):
    return run_rule("VEP302", doc, ctx)


# --- moving into implementable ---------------------------------------------------------------


def test_provisional_to_implementable_before_the_freeze_passes():
    assert check(doc_with(), ctx_for(doc_with("provisional"), today=BEFORE)) == []


@pytest.mark.parametrize("today", [ON, AFTER])
def test_provisional_to_implementable_on_or_after_the_freeze_fails(today):
    findings = check(doc_with(), ctx_for(doc_with("provisional"), today=today))
    assert [(f.rule, f.severity.value, f.line) for f in findings] == [("VEP302", "error", 4)]
    f = findings[0]
    assert "v1.8" in f.message and "2026-01-07" in f.message and today.isoformat() in f.message
    assert "`provisional`" in f.message
    assert "freeze-exception" in f.fix and "v1.9" in f.fix


def test_the_fix_suggests_the_first_release_whose_freeze_has_not_passed():
    (f,) = check(doc_with(), ctx_for(doc_with("provisional"), today=dt.date(2026, 5, 1)))
    assert "v1.10" in f.fix  # v1.9's freeze (2026-04-30) has passed too


def test_freeze_exception_label_turns_the_error_into_an_info():
    findings = check(doc_with(), ctx_for(doc_with("provisional"), labels={"freeze-exception"}))
    assert [(f.rule, f.severity.value) for f in findings] == [("VEP302", "info")]
    assert "freeze-exception" in findings[0].message and "v1.8" in findings[0].message


def test_labels_are_compared_without_case():
    findings = check(doc_with(), ctx_for(doc_with("provisional"), labels={"Freeze-Exception"}))
    assert [f.severity.value for f in findings] == ["info"]


def test_other_labels_do_not_help():
    findings = check(doc_with(), ctx_for(doc_with("provisional"), labels={"lgtm", "approved"}))
    assert [f.severity.value for f in findings] == ["error"]


def test_a_new_file_counts_as_moving_into_implementable():
    findings = check(doc_with(), ctx_for(None))
    assert [f.severity.value for f in findings] == ["error"]
    assert findings[0].message.startswith("Adding this VEP as `implementable`")
    assert check(doc_with(), ctx_for(None, today=BEFORE)) == []


def test_deferred_to_implementable_after_the_freeze_fails_too():
    assert [f.severity.value for f in check(doc_with(), ctx_for(doc_with("deferred")))] == ["error"]


def test_a_legacy_base_without_front_matter_gives_a_warning():
    legacy = make_doc("# VEP #123: Example\n\nText.\n")
    findings = check(doc_with(), ctx_for(legacy))
    assert [f.severity.value for f in findings] == ["warning"]
    assert "without front matter" in findings[0].message
    assert check(doc_with(), ctx_for(legacy, today=BEFORE)) == []
    assert [f.severity.value for f in check(doc_with(), ctx_for(legacy, labels={"freeze-exception"}))] == ["info"]


def test_without_a_base_nothing_is_checked():
    assert check(doc_with(), ctx_for(None, has_base=False)) == []


def test_the_targeted_release_follows_the_stage():
    beta = doc_with(more='  beta: "v1.8"').text.replace("stage: alpha", "stage: beta").replace('alpha: "v1.8"', 'alpha: "v1.7"')
    doc = make_doc(beta)
    findings = check(doc, ctx_for(doc_with("provisional"), today=dt.date(2025, 12, 1)))
    assert findings == []  # v1.7's freeze passed, but the VEP targets beta in v1.8
    findings = check(doc, ctx_for(doc_with("provisional")))
    assert [f.severity.value for f in findings] == ["error"] and "milestone.beta" in findings[0].message


def test_without_a_stage_alpha_is_targeted():
    doc = make_doc(doc_with().text.replace("stage: alpha\n", ""))
    assert [f.severity.value for f in check(doc, ctx_for(doc_with("provisional")))] == ["error"]


# --- retargeting an implementable VEP -------------------------------------------------------


def test_retargeting_into_a_frozen_release_fails_at_the_milestone_line():
    findings = check(doc_with(), ctx_for(doc_with(alpha='"v1.9"')))
    assert [(f.severity.value, f.line) for f in findings] == [("error", 7)]
    assert "Retargeting milestone.alpha" in findings[0].message and "`v1.9`" in findings[0].message


def test_retargeting_to_a_release_still_open_passes():
    assert check(doc_with(alpha='"v1.9"'), ctx_for(doc_with())) == []


def test_adding_a_milestone_for_a_frozen_release_fails():
    findings = check(doc_with(more='  beta: "v1.8"', alpha='"v1.7"'), ctx_for(doc_with(alpha='"v1.7"')))
    assert [(f.severity.value, f.line) for f in findings] == [("error", 8)]
    assert "milestone.beta" in findings[0].message


def test_other_edits_of_an_implementable_vep_after_the_freeze_pass():
    assert check(doc_with(body="New text."), ctx_for(doc_with())) == []
    assert check(doc_with(alpha='"1.8.0"'), ctx_for(doc_with())) == []  # same release, other spelling


def test_leaving_implementable_after_the_freeze_passes():
    assert check(doc_with("implemented"), ctx_for(doc_with())) == []
    assert check(doc_with("deferred", alpha='"v1.9"'), ctx_for(doc_with())) == []


# --- unknown freeze dates -------------------------------------------------------------------


def test_unknown_release_without_schedules_is_skipped_quietly():
    assert check(doc_with(alpha='"v1.12"'), ctx_for(doc_with("provisional"), freezes={})) == []


def test_unknown_release_with_schedules_gives_an_info():
    findings = check(doc_with(alpha='"v1.12"'), ctx_for(doc_with("provisional")))
    assert [f.severity.value for f in findings] == ["info"]
    assert "could not be checked" in findings[0].message and "v1.12" in findings[0].message


def test_schedules_without_any_vep_freeze_still_give_an_info():
    ctx = ctx_for(doc_with("provisional"), freezes={}, schedules=Path("/somewhere/sig-release"))
    assert [f.severity.value for f in check(doc_with(alpha='"v1.5"'), ctx)] == ["info"]


@pytest.mark.parametrize("alpha", ['"TBD"', "", "~", "[v1.8]", "{x: v1.8}", '"v1"', '"next"'])
def test_milestones_that_are_not_releases_are_not_checked(alpha):
    assert check(doc_with(alpha=alpha), ctx_for(doc_with("provisional"))) == []


@pytest.mark.parametrize("odd", ["milestone: [v1.8]", "milestone: v1.8", "stage: [beta]", "status: [implementable]"])
def test_odd_front_matter_does_not_raise(odd):
    text = doc_with().text
    key = odd.split(":")[0]
    lines = [line for line in text.split("\n") if not line.startswith(f"{key}:") and not (key == "milestone" and line.startswith("  alpha"))]
    lines.insert(2, odd)
    doc = make_doc("\n".join(lines))
    findings = check(doc, ctx_for(doc_with("provisional")))
    assert all(f.rule == "VEP302" for f in findings)
    findings = check(doc_with(), ctx_for(doc))
    assert all(f.rule == "VEP302" for f in findings)


def test_release_values_are_normalized():
    assert release_of("v1.8") == release_of("1.8") == release_of(" v1.8.0 ") == "v1.8"
    assert release_of("v01.08") == "v1.8"
    assert release_of("TBD") is None and release_of(None) is None and release_of(["v1.8"]) is None


# --- real schedules and a real document ------------------------------------------------------


def real_freezes():
    return load_freezes(str(need(SIG_RELEASE)))


def test_real_schedule_v1_8_freeze():
    freezes = real_freezes()
    assert check(doc_with(), ctx_for(doc_with("provisional"), freezes=freezes, today=dt.date(2026, 1, 6))) == []
    findings = check(doc_with(), ctx_for(doc_with("provisional"), freezes=freezes, today=dt.date(2026, 1, 7)))
    assert [f.severity.value for f in findings] == ["error"] and "2026-01-07" in findings[0].message


def _vep307(tmp_path, *edits):
    src = need(VEP307)
    text = src.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    dest = tmp_path / "veps" / "sig-network" / "307-vhostuser-binding-plugin" / "vep.md"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return read(str(dest))


def test_vep307_unchanged_passes():
    base = read(str(need(VEP307)))
    assert base.front_matter.get("status") == "deferred"
    assert check(base, ctx_for(base, freezes=real_freezes())) == []


def test_vep307_revived_for_a_frozen_release_fails(tmp_path):
    base = read(str(need(VEP307)))
    doc = _vep307(tmp_path, ("status: deferred\n", "status: implementable\n"), ('alpha: "TBD"', 'alpha: "v1.8"'))
    findings = check(doc, ctx_for(base, freezes=real_freezes()))
    assert [f.severity.value for f in findings] == ["error"]
    assert findings[0].line == doc.front_matter.line_of("status")
    assert "`deferred`" in findings[0].message and "v1.8" in findings[0].message
    assert check(doc, ctx_for(base, freezes=real_freezes(), today=dt.date(2025, 12, 1))) == []


def test_vep307_retargeted_while_implementable(tmp_path):
    base = _vep307(tmp_path / "base", ("status: deferred\n", "status: implementable\n"), ('alpha: "TBD"', 'alpha: "v1.9"'))
    doc = _vep307(tmp_path / "head", ("status: deferred\n", "status: implementable\n"), ('alpha: "TBD"', 'alpha: "v1.8"'))
    findings = check(doc, ctx_for(base, freezes=real_freezes()))
    assert [(f.severity.value, f.line) for f in findings] == [("error", doc.front_matter.line_of("milestone.alpha"))]
