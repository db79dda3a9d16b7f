from agent.document import parse
from agent.findings import Severity
from tests.conftest import make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"


def test_schema_keys_pass():
    text = ("---\ntitle: x\nvep-number: 1\ncreation-date: '2025-01-01'\nstatus: provisional\nauthors: []\n"
            "owning-sig: sig-compute\nparticipating-sigs: []\nreviewers: []\napprovers: []\nfeature-gate: X\n"
            "stage: alpha\nmilestone: {alpha: v1.9, gamma: v2.0}\nreplaces: ''\nsuperseded-by: ''\n---\n")
    assert run_rule("VEP208", make_doc(text)) == []  # milestone.gamma is VEP206's


def test_misspelled_key_suggests_the_schema_key():
    (f,) = run_rule("VEP208", make_doc("---\ntitle: x\nvep_number: 1\n---\n"))
    assert f.severity is Severity.WARNING and f.line == 3
    assert "did you mean `vep-number`?" in f.message and f.fix == "Rename it to `vep-number`."


def test_suggestion_already_present():
    (f,) = run_rule("VEP208", make_doc("---\nstatus: provisional\nStatus: provisional\n---\n"))
    assert "already set at line 2" in f.message and f.fix == "Remove `Status`."


def test_kep_fields():
    fs = run_rule("VEP208", make_doc("---\ntitle: x\nkep-number: 1\nlast-updated: '2025-01-01'\n---\n"))
    assert "`vep-number`" in fs[0].message
    assert "Kubernetes KEP field" in fs[1].message and fs[1].line == 4


def test_unrelated_key():
    (f,) = run_rule("VEP208", make_doc("---\ntitle: x\nshepherd: '@x'\n---\n"))
    assert "did you mean" not in f.message and "Remove `shepherd`" in f.fix


def test_real_vep_307(corpus):
    path = need(corpus / VEP307)
    assert run_rule("VEP208", parse(path.read_bytes(), str(path), VEP307)) == []
    text = path.read_text().replace("superseded-by:", "superseeded-by:")
    (f,) = run_rule("VEP208", parse(text.encode(), str(path), VEP307))
    assert "`superseded-by`" in f.message and f.line == 25
