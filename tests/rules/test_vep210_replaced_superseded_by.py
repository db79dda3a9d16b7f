from agent.document import parse
from agent.findings import Severity
from tests.conftest import make_ctx, make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"


def found(status, superseded=None):
    extra = "" if superseded is None else f"superseded-by: {superseded}\n"
    return run_rule("VEP210", make_doc(f"---\ntitle: x\nstatus: {status}\n{extra}---\n# VEP #123: x\n"))


def test_replaced_with_successor_passes():
    assert found("replaced", '"400"') == []
    assert found("provisional", '""') == []


def test_replaced_without_successor():
    (f,) = found("replaced", '""')
    assert f.severity is Severity.ERROR and f.line == 4 and "empty" in f.message
    (f,) = found("replaced")
    assert f.line == 3 and "no such field" in f.message


def test_successor_named_but_status_not_replaced_warns():
    (f,) = found("implemented", "400")
    assert f.severity is Severity.WARNING and "VEP 400" in f.message


def test_malformed_successor_is_left_to_vep206():
    assert found("replaced", "later") == []
    assert found("draft", "400") == []  # unknown status: VEP206


def test_real_vep_307_replaced(corpus):
    path = need(corpus / VEP307)
    text = path.read_text().replace("status: deferred", "status: replaced")
    (f,) = run_rule("VEP210", parse(text.encode(), str(path), VEP307), make_ctx(corpus))
    assert f.line == 25
    fixed = text.replace('superseded-by: ""', 'superseded-by: "412"')
    assert run_rule("VEP210", parse(fixed.encode(), str(path), VEP307), make_ctx(corpus)) == []
