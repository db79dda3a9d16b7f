from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
FM = "---\ntitle: x\nowning-sig: {sig}\n---\n# VEP #123: x\n"


def test_matching_directory_passes():
    assert run_rule("VEP212", make_doc(FM.format(sig="sig-compute"))) == []


def test_other_sig_directory_is_an_error():
    (f,) = run_rule("VEP212", make_doc(FM.format(sig="sig-network")))
    assert f.line == 3 and "veps/sig-compute/" in f.message
    assert f.fix == "Write `owning-sig: sig-compute`, or move the VEP to veps/sig-network/."


def test_meta_veps_and_unknown_sigs_are_not_checked():
    assert run_rule("VEP212", make_doc(FM.format(sig="sig-network"), "veps/meta-VEPs/282-x/vep.md")) == []
    assert run_rule("VEP212", make_doc(FM.format(sig="sig-networking"))) == []  # VEP207's
    assert run_rule("VEP212", make_doc(FM.format(sig="[sig-network]"))) == []  # VEP206's


def test_real_vep_307_moved_to_compute(corpus):
    path = need(corpus / VEP307)
    ctx = make_ctx(corpus)
    assert run_rule("VEP212", parse(path.read_bytes(), str(path), VEP307), ctx) == []
    moved = "veps/sig-compute/307-vhostuser-binding-plugin/vep.md"
    (f,) = run_rule("VEP212", parse(path.read_bytes(), str(path), moved), ctx)
    assert f.line == 10
