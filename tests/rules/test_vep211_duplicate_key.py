from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"


def test_unique_keys_pass():
    assert run_rule("VEP211", make_doc("---\ntitle: x\nstatus: provisional\n---\n")) == []


def test_repeated_top_level_key():
    (f,) = run_rule("VEP211", make_doc("---\nstatus: provisional\ntitle: x\nstatus: implementable\n---\n"))
    assert f.line == 4 and f.message.endswith("keep the last value, `implementable`.")


def test_repeated_milestone_key():
    (f,) = run_rule("VEP211", make_doc("---\nmilestone:\n  alpha: v1.8\n  alpha: v1.9\n---\n"))
    assert f.line == 4 and "`milestone.alpha`" in f.message


def test_real_vep_307_with_a_second_status(corpus):
    path = need(corpus / VEP307)
    assert run_rule("VEP211", parse(path.read_bytes(), str(path), VEP307)) == []
    text = path.read_text().replace('superseded-by: ""', 'superseded-by: ""\nstatus: implementable')
    (f,) = run_rule("VEP211", parse(text.encode(), str(path), VEP307), make_ctx(corpus))
    assert f.line == 26 and "`status`" in f.message
