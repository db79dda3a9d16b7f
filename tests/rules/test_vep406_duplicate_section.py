from agent.document import parse
from tests.conftest import make_doc, need, run_rule
from tests.rules.test_vep403_section_order import SECTIONS, vep


def test_each_section_once_passes():
    assert run_rule("VEP406", vep(SECTIONS)) == []


def test_a_repeated_section_is_reported_at_the_repeat():
    names = SECTIONS + ["Goals"]
    doc = vep(names)
    (f,) = run_rule("VEP406", doc)
    first, again = [s for s in doc.h2() if s.title == "Goals"]
    assert f.line == again.line and f.severity.value == "warning" and f.section == "Goals"
    assert f.message == f"`## Goals` repeats `## Goals` (line {first.line})."


def test_spelling_and_case_do_not_hide_a_repeat():
    (f,) = run_rule("VEP406", vep(SECTIONS + ["NON-GOALS"]))
    assert "`## NON-GOALS` repeats `## Non Goals`" in f.message


def test_three_copies_give_two_findings():
    assert len(run_rule("VEP406", vep(SECTIONS + ["Design", "Design"]))) == 2


def test_different_parenthesized_text_is_another_section():
    # VEP 76: one Implementation Phases section per release
    names = SECTIONS + ["Implementation Phases (for v1alpha1 in v1.7.0)", "Implementation Phases (for v1beta1 in v1.9.0)"]
    assert run_rule("VEP406", vep(names)) == []
    repeated = SECTIONS + ["Implementation Phases (v1.7)", "Implementation Phases (v1.7)"]
    assert len(run_rule("VEP406", vep(repeated))) == 1


def test_a_name_and_its_alias_and_other_headings_pass():
    # "Use Cases" is an alias of User Stories, not a copy; extra sections may repeat
    assert run_rule("VEP406", vep(SECTIONS + ["Use Cases", "Notes", "Notes"])) == []


def test_subsections_with_the_same_title_pass():
    doc = make_doc("""
        # VEP #123: Example

        ## Design

        ### Goals

        Text.

        ## Goals

        Text.
        """)
    assert run_rule("VEP406", doc) == []


def test_real_vep_repeats_a_section(corpus):
    # VEP 143 has its own Functional Testing Approach at line 357 and the template's again later
    rel = "veps/sig-observability/143-monitoring-stack-separation/vep.md"
    path = need(corpus / rel)
    (f,) = run_rule("VEP406", parse(path.read_bytes(), str(path), rel))
    assert f.line == 462 and f.message == "`## Functional Testing Approach` repeats `## Functional Testing Approach` (line 357)."


def test_real_vep_with_a_phase_per_release_passes(corpus):
    rel = "veps/sig-compute/76-vmtemplates/vep.md"
    path = need(corpus / rel)
    assert run_rule("VEP406", parse(path.read_bytes(), str(path), rel)) == []
