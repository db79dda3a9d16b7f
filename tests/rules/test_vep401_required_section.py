from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

SECTIONS = ["VEP Status Metadata", "Overview", "Motivation", "Goals", "Non Goals", "Definition of Users",
            "User Stories", "Repos", "Design", "API Examples", "Alternatives", "Scalability",
            "Update/Rollback Compatibility", "Functional Testing Approach", "Implementation History",
            "Graduation Requirements"]


def vep(sections=SECTIONS, front_matter=False, **replace):
    """A VEP with the given `##` sections, each with a line of text; ``replace`` maps a
    section name to its full replacement text (heading included)."""
    parts = ["---\ntitle: Example\nvep-number: 123\nstatus: provisional\n---\n"] if front_matter else []
    parts.append("# VEP #123: Example\n")
    for name in sections:
        parts.append(replace.get(name, f"## {name}\n\nText about {name}.\n"))
    return make_doc("\n".join(parts))


def test_complete_vep_passes():
    assert run_rule("VEP401", vep()) == []


def test_missing_section_is_reported_where_it_belongs():
    doc = vep([s for s in SECTIONS if s != "Scalability"])
    (f,) = run_rule("VEP401", doc)
    assert f.message == "The required section `## Scalability` is missing."
    assert f.line == doc.find("Update/Rollback Compatibility").line
    assert "after `## Alternatives`" in f.fix
    assert f.severity.value == "warning"  # legacy: no front matter


def test_missing_section_is_an_error_with_front_matter():
    doc = vep([s for s in SECTIONS if s not in ("Alternatives", "VEP Status Metadata")], front_matter=True)
    (f,) = run_rule("VEP401", doc)
    assert f.severity.value == "error" and "`## Alternatives`" in f.message


def test_status_metadata_is_required_only_without_front_matter():
    without = [s for s in SECTIONS if s != "VEP Status Metadata"]
    assert run_rule("VEP401", vep(without, front_matter=True)) == []
    (f,) = run_rule("VEP401", vep(without))
    assert "VEP Status Metadata" in f.message


def test_aliases_and_older_template_headings_count():
    names = ["Release Signoff Checklist", "Summary", "Motivation", "Goals", "Non-Goals", "Definition of Users",
             "Use Cases", "Repos", "Proposal", "API Examples", "Alternatives Considered", "Scalability",
             "Update / Compatibility", "Functional Testing Approach", "Implementation Phases",
             "Feature lifecycle Phases"]
    assert run_rule("VEP401", vep(names)) == []


def test_loose_heading_counts():
    names = [("Alternative Designs Considered" if s == "Alternatives" else s) for s in SECTIONS]
    assert run_rule("VEP401", vep(names)) == []


def test_other_level_is_a_warning_not_missing():
    doc = vep(front_matter=True, **{"VEP Status Metadata": "", "Scalability": "# Scalability\n\nScales.\n"})
    (f,) = run_rule("VEP401", doc)
    assert f.severity.value == "warning" and "level-1 heading" in f.message and f.line == doc.find("Scalability").line


def test_implementation_phases_with_stages_stands_for_graduation():
    names = [s for s in SECTIONS if s not in ("Implementation History", "Graduation Requirements")]
    doc = vep(names + ["Implementation Phases"],
              **{"Implementation Phases": "## Implementation Phases\n\n### Alpha\n\n- gate\n\n### Beta\n\n### GA\n"})
    (f,) = run_rule("VEP401", doc)
    assert "`## Implementation History` is missing" in f.message


def test_template_is_not_checked():
    doc = make_doc("# VEP #NNNN: title\n\n## Overview\n", "veps/NNNN-vep-template/vep.md")
    assert run_rule("VEP401", doc) == []


def test_real_vep_passes(corpus):
    path = need(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    doc = parse(path.read_bytes(), str(path), "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    assert run_rule("VEP401", doc, make_ctx(corpus)) == []


def test_real_vep_missing_sections(corpus):
    # VEP 62 has no Definition of Users, Alternatives, Scalability nor Implementation History
    rel = "veps/sig-compute/62-priority-queue/vep.md"
    path = need(corpus / rel)
    found = run_rule("VEP401", parse(path.read_bytes(), str(path), rel), make_ctx(corpus))
    missing = sorted(f.message.split("`")[1] for f in found)
    assert missing == ["## Alternatives", "## Definition of Users", "## Implementation History", "## Scalability"]


def test_real_vep_with_section_removed(corpus, tmp_path):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = need(corpus / rel).read_text().replace("## Scalability\n", "## Scale notes\n")
    (f,) = run_rule("VEP401", parse(text.encode(), "vep.md", rel), make_ctx(corpus))
    assert f.severity.value == "error" and "`## Scalability`" in f.message


def test_odd_front_matter_values_do_not_break_it():
    doc = make_doc("---\n- a\n- b\n---\n# VEP #123: x\n\n## Overview\n\nText.\n")
    assert all(f.rule == "VEP401" for f in run_rule("VEP401", doc))
