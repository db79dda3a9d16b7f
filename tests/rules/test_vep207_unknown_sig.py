from agent.document import parse
from agent.findings import Severity
from tests.conftest import make_ctx, make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"


def doc(owning="sig-compute", participating="[]"):
    return make_doc(f"---\ntitle: x\nowning-sig: {owning}\nparticipating-sigs: {participating}\n---\n# VEP #123: x\n")


def test_known_sigs_pass():
    assert run_rule("VEP207", doc(participating="[sig-storage, sig-network]")) == []


def test_unknown_owning_sig_with_suggestion():
    (f,) = run_rule("VEP207", doc(owning="sig-computer"))
    assert f.severity is Severity.ERROR and f.line == 3
    assert "did you mean `sig-compute`?" in f.message


def test_a_tbd_owning_sig_is_not_taken_for_a_misspelling():
    (f,) = run_rule("VEP207", doc(owning="TBD"))
    assert f.severity is Severity.ERROR and f.message == "`owning-sig` is still `TBD`: no SIG is named."
    assert "did you mean" not in f.message and f.fix.startswith("Name the SIG (one of: ")


def test_short_and_label_forms_are_recognised():
    fs = run_rule("VEP207", doc(participating="[storage, sig/network, SIG-Network]"))
    said = {f.message.split("`")[1]: f.fix for f in fs}
    assert said == {"storage": "Write `sig-storage`.", "sig/network": "Write `sig-network`.",
                    "SIG-Network": "Write `sig-network`."}


def test_entry_lines_are_the_entries():
    text = "---\ntitle: x\nowning-sig: sig-compute\nparticipating-sigs:\n  - sig-storage\n  - sig-netwrok\n---\n"
    (f,) = run_rule("VEP207", make_doc(text))
    assert f.line == 6


def test_owning_sig_repeated_is_a_warning():
    (f,) = run_rule("VEP207", doc(participating="[sig-compute]"))
    assert f.severity is Severity.WARNING and "owning SIG" in f.message


def test_sigs_come_from_the_checked_repository(tmp_path):
    for sig in ("sig-compute", "sig-ai"):
        (tmp_path / "veps" / sig).mkdir(parents=True)
    ctx = make_ctx(tmp_path)
    assert run_rule("VEP207", doc(participating="[sig-ai]"), ctx) == []
    (f,) = run_rule("VEP207", doc(participating="[sig-storage]"), ctx)
    assert "sig-storage" in f.message


def test_wrong_types_are_left_to_vep206():
    assert run_rule("VEP207", doc(owning="[sig-a, sig-b]", participating="sig-x")) == []
    assert run_rule("VEP207", doc(participating="[{a: b}, null, [x]]")) == []


def test_real_vep_307(corpus):
    path = need(corpus / VEP307)
    ctx = make_ctx(corpus)
    assert run_rule("VEP207", parse(path.read_bytes(), str(path), VEP307), ctx) == []
    text = path.read_text().replace("participating-sigs: []", "participating-sigs: [sig-storag, sig-network]")
    fs = run_rule("VEP207", parse(text.encode(), str(path), VEP307), ctx)
    assert [(f.severity.value, "sig-storage" in f.message) for f in fs] == [("error", True), ("warning", False)]


def test_kubevirt_sig_without_directory_is_only_a_warning(corpus):
    ctx = make_ctx(corpus)  # the real repository has no veps/sig-scale/ or veps/sig-architecture/
    (f,) = run_rule("VEP207", doc(participating="[sig-scale]"), ctx)
    assert f.severity is Severity.WARNING and "no veps/sig-scale/ directory" in f.message
    # a meta-VEP may be owned by such a SIG; a VEP in veps/sig-compute/ owned by it is VEP212's
    meta = make_doc("---\ntitle: x\nowning-sig: sig-architecture\n---\n", "veps/meta-VEPs/282-x/vep.md")
    (f,) = run_rule("VEP207", meta, ctx)
    assert f.severity is Severity.WARNING
    assert run_rule("VEP207", doc(owning="sig-architecture"), ctx) == []
    assert [f.rule for f in run_rule("VEP212", doc(owning="sig-architecture"), ctx)] == ["VEP212"]
