from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

SECTIONS = ["VEP Status Metadata", "Overview", "Motivation", "Goals", "Non Goals", "Definition of Users",
            "User Stories", "Repos", "Design", "API Examples", "Alternatives", "Scalability",
            "Update/Rollback Compatibility", "Functional Testing Approach", "Implementation History",
            "Graduation Requirements"]
FM = "---\ntitle: Example\nvep-number: 123\nstatus: implementable\n{extra}---\n"


def vep(front_matter=None, **bodies):
    """A VEP whose sections hold a line of text, or ``bodies[name]`` (underscores for spaces)."""
    parts = [FM.format(extra=front_matter)] if front_matter is not None else []
    parts.append("# VEP #123: Example\n")
    for name in SECTIONS:
        body = bodies.get(name.replace(" ", "_").replace("/", "_"), f"Text about {name}.")
        parts.append(f"## {name}\n\n{body}\n")
    return make_doc("\n".join(parts))


def test_filled_sections_pass():
    assert run_rule("VEP402", vep()) == []


def test_comment_only_section_is_empty():
    doc = vep(Scalability="<!--\nOverview of how the design scales)\n-->")
    (f,) = run_rule("VEP402", doc)
    assert f.line == doc.find("Scalability").line and "`Scalability`" in f.message
    assert f.severity.value == "warning"  # legacy document


def test_empty_section_is_an_error_with_front_matter():
    doc = vep(front_matter="", Alternatives="")
    (f,) = run_rule("VEP402", doc)
    assert f.severity.value == "error" and "`Alternatives`" in f.message


def test_placeholder_words_and_empty_stage_headings_are_empty():
    doc = vep(Repos="TBD", Graduation_Requirements="### Alpha\n\n### Beta\n\n### GA\n")
    assert sorted(f.section for f in run_rule("VEP402", doc)) == ["Graduation Requirements", "Repos"]


def test_subsection_content_counts():
    assert run_rule("VEP402", vep(Graduation_Requirements="### Alpha\n\n- [ ] Feature gate `X` guards it\n")) == []


def test_na_counts_as_content():
    assert run_rule("VEP402", vep(Scalability="N/A", API_Examples="N/A: no API change.")) == []


def test_implementation_history_may_wait_for_implementation():
    assert run_rule("VEP402", vep(Implementation_History="<!-- later -->")) == []
    assert run_rule("VEP402", vep(front_matter="", Implementation_History="")) == []
    (f,) = run_rule("VEP402", vep(front_matter="stage: alpha\n", Implementation_History=""))
    assert f.section == "Implementation History"


def test_template_text_is_placeholder(corpus):
    # the template's unfilled Target releases and checklist lines are not content
    ctx = make_ctx(corpus)
    empty = ("### Target releases\n\n- This VEP targets alpha for version:\n- This VEP targets beta for version:\n\n"
             "### Release Signoff Checklist\n\nItems marked with (R) are required *prior to targeting to a milestone "
             "/ release*.\n\n- [ ] (R) Alpha target version is explicitly mentioned and approved\n")
    (f,) = run_rule("VEP402", vep(VEP_Status_Metadata=empty), ctx)
    assert f.section == "VEP Status Metadata"
    filled = empty.replace("alpha for version:", "alpha for version: v1.9")
    assert run_rule("VEP402", vep(VEP_Status_Metadata=filled), ctx) == []


def test_real_vep_passes(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    path = need(corpus / rel)
    assert run_rule("VEP402", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == []


def test_real_vep_with_empty_sections(corpus):
    # VEP 176 (Redfish) leaves Non Goals, API Examples and Update/Rollback Compatibility empty
    rel = "veps/sig-compute/176-redfish-support/vep.md"
    path = need(corpus / rel)
    found = run_rule("VEP402", parse(path.read_bytes(), str(path), rel), make_ctx(corpus))
    assert [f.section for f in found] == ["Non Goals", "API Examples", "Update/Rollback Compatibility"]


def test_real_vep_with_section_emptied(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = need(corpus / rel).read_text()
    start = text.index("## Scalability\n") + len("## Scalability\n")
    text = text[:start] + "\n<!--\nOverview of how the design scales)\n-->\n\n" + text[text.index("## Update/Rollback"):]
    (f,) = run_rule("VEP402", parse(text.encode(), "vep.md", rel), make_ctx(corpus))
    assert f.section == "Scalability" and f.severity.value == "error"
