from agent.document import parse
from tests.conftest import make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"


def test_unquoted_date():
    (f,) = run_rule("VEP204", make_doc('---\ntitle: x\ncreation-date: 2024-05-22\n---\n# VEP #123: x\n'))
    assert f.line == 3
    assert f.message == ("`creation-date: 2024-05-22` is read as a date by YAML 1.1 parsers, "
                         "not as the string the schema expects.")
    assert f.fix == 'Quote it: `creation-date: "2024-05-22"`.'


def test_version_number_and_boolean():
    doc = make_doc('---\nmilestone:\n  alpha: 1.10\nreviewers:\n  - no\n---\n# VEP #123: x\n')
    fs = run_rule("VEP204", doc)
    assert [f.line for f in fs] == [3, 5]
    assert "a number (1.1)" in fs[0].message and fs[0].fix == 'Quote it: `alpha: "v1.10"`.'
    assert "`- no` in `reviewers`" in fs[1].message and "False" in fs[1].message


def test_quoted_values_and_plain_integers_pass():
    doc = make_doc('---\nvep-number: 307\ncreation-date: "2024-05-22"\nmilestone:\n  alpha: "v1.10"\n---\n# VEP #307: x\n')
    assert run_rule("VEP204", doc) == []


def test_impossible_date_does_not_break_parsing():
    doc = make_doc('---\ncreation-date: 2024-02-30\n---\n# VEP #123: x\n')
    assert doc.front_matter.error is None and doc.front_matter.data["creation-date"] == "2024-02-30"
    (f,) = run_rule("VEP204", doc)
    assert "loading it fails" in f.message


def test_real_vep_307_unquoted_date(corpus):
    path = need(corpus / VEP307)
    assert run_rule("VEP204", parse(path.read_bytes(), str(path), VEP307)) == []
    text = path.read_text().replace('creation-date: "2024-05-22"', "creation-date: 2024-05-22")
    (f,) = run_rule("VEP204", parse(text.encode(), str(path), VEP307))
    assert f.line == 4 and "read as a date" in f.message
