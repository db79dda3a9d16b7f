from agent.document import parse
from tests.conftest import make_doc, need, run_rule


def test_valid_block_passes():
    assert run_rule("VEP203", make_doc("---\ntitle: x\nstatus: provisional\n---\n# VEP #123: x\n")) == []


def test_no_block_passes():
    assert run_rule("VEP203", make_doc("# VEP #123: x\n")) == []


def test_unquoted_handle_reports_line_and_quoting_fix():
    doc = make_doc("---\ntitle: x\nauthors:\n  - @jdoe\n---\n# VEP #123: x\n")
    (f,) = run_rule("VEP203", doc)
    assert f.line == 4 and "cannot be read" in f.message
    assert '"@name"' in f.fix


def test_unterminated_block():
    (f,) = run_rule("VEP203", make_doc("---\ntitle: x\nstatus: provisional\n\n# VEP #123: x\n"))
    assert f.line == 1 and "not terminated" in f.message and "`---`" in f.fix


def test_not_a_mapping():
    (f,) = run_rule("VEP203", make_doc("---\n- a\n- b\n---\n# VEP #123: x\n"))
    assert f.line == 2 and "not a mapping" in f.message


def test_second_colon_in_title():
    (f,) = run_rule("VEP203", make_doc("---\ntitle: VEP 12: Live migration: again\n---\n# VEP #12: x\n"))
    assert f.line == 2 and "Quote values" in f.fix


def test_tab_indentation():
    (f,) = run_rule("VEP203", make_doc("---\nmilestone:\n\talpha: v1.9\n---\n# VEP #1: x\n"))
    assert "tabs" in f.fix


def test_alias_bomb_is_refused_not_expanded():
    lines = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    prev = "a"
    for name in "bcdefgh":
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(10)) + "]")
        prev = name
    doc = make_doc("\n".join(lines + ["---", "# VEP #1: x", ""]))
    (f,) = run_rule("VEP203", doc)
    assert "alias" in f.message and "aliases" in f.fix


def test_real_vep_307_with_an_unquoted_handle(corpus):
    path = need(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    text = path.read_text().replace('  - "@bgaussen"', "  - @bgaussen")
    doc = parse(text.encode(), str(path), "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    (f,) = run_rule("VEP203", doc)
    assert doc.lines[f.line - 1] == "  - @bgaussen"
    assert run_rule("VEP203", parse(path.read_bytes(), str(path), "veps/sig-network/307-vhostuser-binding-plugin/vep.md")) == []
