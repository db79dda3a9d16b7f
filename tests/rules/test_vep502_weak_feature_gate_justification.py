import pytest

from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

BODY = """\
# VEP #123: Example

## Design

Intro.

{design}

## Graduation Requirements

{graduation}
"""


def vep(design, graduation="### GA\n\n- done\n"):
    return make_doc(BODY.format(design=design, graduation=graduation))


@pytest.mark.parametrize("design, kind", [
    ("This change does not need a feature gate because it is a simple change.", "a simple change"),
    ("No feature gate is needed: the field is optional and off by default, hence safe.", "off by default, hence safe"),
    ("We ship it without a feature gate since it is fully backward compatible.", "backward compatibility"),
])
def test_weak_reasons_are_reported(design, kind):
    doc = vep(design)
    (f,) = run_rule("VEP502", doc)
    assert kind in f.message and f.severity.value == "warning"
    assert f.line == doc.line_of(design[:20])
    assert design.split(".")[0][:40] in f.message  # the sentence is quoted


@pytest.mark.parametrize("design", [
    "No feature gate: it is simple, but the old and new code paths cannot coexist in one launcher.",
    "This feature does not require a feature gate because it introduces no new functionality; it is a new, "
    "more ergonomic way to configure existing behavior.",
    "No feature gate is needed because this is a transparent bug fix, small as it is.",
])
def test_acceptable_or_other_reasons_are_not_reported(design):
    assert run_rule("VEP502", vep(design)) == []


def test_named_gate_or_unjustified_opt_out_is_not_this_rules():
    assert run_rule("VEP502", vep("It is simple. The `Example` feature gate guards it.")) == []
    assert run_rule("VEP502", vep("There is no feature gate.")) == []  # VEP501 reports it


def test_direct_ga_rationale_in_graduation_is_read():
    grad = ("### GA\n\n**Rationale for direct GA graduation:**\nThis is a straightforward API addition.\n"
            "We propose graduating directly to GA.\n")
    doc = vep("No API change besides the field.", grad)
    (f,) = run_rule("VEP502", doc)
    assert f.line == doc.line_of("This is a straightforward") and "a simple change" in f.message


def test_meta_vep_is_exempt():
    doc = make_doc(BODY.format(design="No feature gate because it is simple.", graduation="x"),
                   "veps/meta-VEPs/1-x/vep.md")
    assert run_rule("VEP502", doc) == []


def test_real_vep_with_weak_reason(corpus):
    # VEP 33 (pcihole64): "Due to the limited functional scope it should be acceptable to add the feature in a
    # single lifecycle phase without a feature gate."
    rel = "veps/sig-compute/33-pcihole64/vep.md"
    path = need(corpus / rel)
    doc = parse(path.read_bytes(), str(path), rel)
    (f,) = run_rule("VEP502", doc, make_ctx(corpus))
    assert f.line == doc.line_of("Due to the limited functional scope") and "limited functional scope" in f.message


def test_real_vep_with_acceptable_reason(corpus):
    rel = "veps/sig-compute/250-vmi-serviceaccountname/vep.md"
    path = need(corpus / rel)
    assert run_rule("VEP502", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == []


def test_real_vep_edited_to_a_weak_reason(corpus):
    rel = "veps/sig-compute/250-vmi-serviceaccountname/vep.md"
    text = need(corpus / rel).read_text()
    start = text.index("This feature does not require a feature gate")
    end = text.index("\n", start)
    text = text[:start] + "This feature does not require a feature gate because it is a small, optional field." + text[end:]
    (f,) = run_rule("VEP502", parse(text.encode(), "vep.md", rel), make_ctx(corpus))
    assert "a simple change" in f.message and "off by default" in f.message
