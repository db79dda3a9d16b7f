import pytest

from agent.document import parse
from agent.rules.vep601_target_release_mismatch import body_targets, parse_version
from tests.conftest import make_ctx, make_doc, need, run_rule

DOC = """\
---
title: x
vep-number: 123
status: implementable
feature-gate: Example
stage: alpha
milestone:
{milestone}
---
# VEP #123: x

## VEP Status Metadata

### Target releases

{targets}

### Release Signoff Checklist

{checklist}
"""


def doc(milestone='  alpha: "v1.9"', targets="- This VEP targets alpha for version: v1.9", checklist="- [x] done"):
    return make_doc(DOC.format(milestone=milestone, targets=targets, checklist=checklist))


@pytest.mark.parametrize("value, expected", [
    ("v1.9", (1, 9)), ("1.9", (1, 9)), ("v1.9.0", (1, 9)), ("v1.10", (1, 10)), ("v1.9. ", (1, 9)),
    ("v1.6 (VMI-status based design)", (1, 6)), ("TBD", None), ("N/A", None), ("", None), ("v1.x", None),
    (None, None), (["v1.9"], None), (1.9, None),
])
def test_parse_version(value, expected):
    assert parse_version(value) == expected


def test_agreeing_body_passes():
    assert run_rule("VEP601", doc(targets="- This VEP targets alpha for version: v1.9.0")) == []


def test_disagreeing_body_is_reported_at_the_body_line():
    d = doc(targets="- This VEP targets alpha for version: v1.8")
    (f,) = run_rule("VEP601", d)
    assert f.line == d.line_of("targets alpha")
    assert f.message == "The body targets alpha for v1.8 but the front matter's milestone.alpha is v1.9."
    assert f.severity.value == "error"


def test_each_stage_is_compared():
    d = doc(milestone='  alpha: "v1.9"\n  beta: "v1.10"\n  ga: "v1.11"',
            targets="- This VEP targets alpha for version: v1.9\n- This VEP targets beta for version: v1.11\n"
                    "- This VEP targets GA for version: v1.12")
    assert [f.message.split(" but")[0] for f in run_rule("VEP601", d)] == [
        "The body targets beta for v1.11", "The body targets GA for v1.12"]


@pytest.mark.parametrize("targets", [
    "- This VEP targets alpha for version:",
    "- This VEP targets alpha for version: TBD",
    "- This VEP targets alpha for version: N/A (tooling change)",
    "- ~This VEP targets alpha for version: v1.7~",
    "- This VEP targets beta for version: v1.12",  # no milestone.beta to disagree with
    "<!-- This VEP targets alpha for version: v1.7 -->",
])
def test_empty_placeholder_struck_or_absent_values_are_ignored(targets):
    assert run_rule("VEP601", doc(targets=targets)) == []


def test_placeholder_milestone_is_ignored():
    assert run_rule("VEP601", doc(milestone='  alpha: "TBD"', targets="- This VEP targets alpha for version: v1.7")) == []


def test_checklist_lines_with_a_version_are_compared():
    d = doc(targets="", checklist="- [x] (R) Alpha target version is explicitly mentioned and approved: v1.7")
    (f,) = run_rule("VEP601", d)
    assert f.line == d.line_of("Alpha target version")


def test_past_tense_is_read():
    d = doc(targets="- This VEP targeted alpha for version: v1.6 (VMI-status based design)")
    assert "targets alpha for v1.6" in run_rule("VEP601", d)[0].message


def test_without_front_matter_nothing_is_compared():
    assert run_rule("VEP601", make_doc("# VEP #1: x\n\n- This VEP targets alpha for version: v1.7\n")) == []


def test_odd_milestone_values_do_not_break_it():
    for milestone in ("  alpha: [v1.9]", "  alpha: {x: 1}", "  alpha:"):
        assert run_rule("VEP601", doc(milestone=milestone)) == []
    bad = make_doc("---\nmilestone: v1.9\n---\n# VEP #1: x\n\n- This VEP targets alpha for version: v1.7\n")
    assert run_rule("VEP601", bad) == []


def test_real_body_targets_are_parsed(corpus):
    rel = "veps/sig-network/106-decouple-nad/vep.md"  # alpha struck through, beta v1.8, GA v1.10
    path = need(corpus / rel)
    found = [(t.stage, t.version, t.struck) for t in body_targets(parse(path.read_bytes(), str(path), rel))]
    assert found == [("alpha", None, True), ("beta", (1, 8), False), ("ga", (1, 10), False)]


def test_real_vep_migrated_with_a_stale_body(corpus):
    # VEP 307 keeps its old Release Signoff Checklist; give it a milestone and a Target releases line
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = need(corpus / rel).read_text()
    assert run_rule("VEP601", parse(text.encode(), "vep.md", rel), make_ctx(corpus)) == []
    text = text.replace('  alpha: "TBD"', '  alpha: "v1.10"').replace(
        "## Release Signoff Checklist\n", "## Release Signoff Checklist\n\n- This VEP targets alpha for version: v1.9\n")
    d = parse(text.encode(), "vep.md", rel)
    (f,) = run_rule("VEP601", d, make_ctx(corpus))
    assert f.line == d.line_of("This VEP targets alpha") and "v1.9" in f.message and "v1.10" in f.message
