from agent.document import parse
from agent.rules.vep403_section_order import _longest_increasing
from tests.conftest import make_ctx, make_doc, need, run_rule

SECTIONS = ["VEP Status Metadata", "Overview", "Motivation", "Goals", "Non Goals", "Definition of Users",
            "User Stories", "Repos", "Design", "API Examples", "Alternatives", "Scalability",
            "Update/Rollback Compatibility", "Functional Testing Approach", "Implementation History",
            "Graduation Requirements"]


def vep(names):
    return make_doc("# VEP #123: Example\n\n" + "\n".join(f"## {n}\n\nText.\n" for n in names))


def test_template_order_passes():
    assert run_rule("VEP403", vep(SECTIONS)) == []


def test_extra_sections_anywhere_pass():
    names = SECTIONS[:9] + ["Security", "References"] + SECTIONS[9:] + ["Appendix"]
    assert run_rule("VEP403", vep(names)) == []


def test_one_moved_section_is_the_one_reported():
    names = [n for n in SECTIONS if n != "Alternatives"] + ["Alternatives"]
    doc = vep(names)
    (f,) = run_rule("VEP403", doc)
    assert f.message == "`## Alternatives` should come before `## Scalability` (template order)."
    assert f.line == doc.find("Alternatives").line and f.severity.value == "warning"


def test_section_too_early_is_placed_after():
    names = ["VEP Status Metadata", "Overview", "Scalability"] + [n for n in SECTIONS[2:] if n != "Scalability"]
    (f,) = run_rule("VEP403", vep(names))
    assert "`## Scalability` should come after `## Alternatives`" in f.message


def test_name_wins_over_an_earlier_alias():
    # "Use cases" early is an extra section when "User Stories" is in place (VEP 76)
    names = SECTIONS[:3] + ["Use cases"] + SECTIONS[3:]
    assert run_rule("VEP403", vep(names)) == []


def test_longest_increasing_keeps_most():
    assert _longest_increasing([0, 1, 5, 2, 3, 4]) == {0, 1, 3, 4, 5}
    assert _longest_increasing([]) == set()


def test_real_vep_passes(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    path = need(corpus / rel)
    assert run_rule("VEP403", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == []


def test_real_vep_out_of_order(corpus):
    # VEP 143 puts Functional Testing Approach before Update/Rollback Compatibility
    rel = "veps/sig-observability/143-monitoring-stack-separation/vep.md"
    path = need(corpus / rel)
    (f,) = run_rule("VEP403", parse(path.read_bytes(), str(path), rel), make_ctx(corpus))
    assert "`## Functional Testing Approach` should come after `## Update/Rollback Compatibility`" in f.message


def test_real_vep_with_sections_swapped(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = need(corpus / rel).read_text()
    goals = text[text.index("## Goals\n"):text.index("## Non Goals\n")]
    text = text.replace(goals, "").replace("## Definition of Users\n", goals + "## Definition of Users\n")
    (f,) = run_rule("VEP403", parse(text.encode(), "vep.md", rel), make_ctx(corpus))
    assert "`## Goals`" in f.message or "`## Non Goals`" in f.message
