import json

from agent.document import parse
from tests.conftest import HISTORY, make_doc, need, run_rule


def test_flat_file_under_sig_fails():
    (f,) = run_rule("VEP103", make_doc("# VEP #106: Decouple NAD\n", "veps/sig-network/decouple-nad.md"))
    assert "flat layout" in f.message
    assert "veps/sig-network/<issue-number>-decouple-nad/vep.md" in f.fix


def test_file_directly_under_veps_fails():
    assert [f.rule for f in run_rule("VEP103", make_doc("# VEP #1: x\n", "veps/x.md"))] == ["VEP103"]


def test_too_deep_fails():
    assert [f.rule for f in run_rule("VEP103", make_doc("# VEP #1: x\n", "veps/sig-compute/1-x/sub/vep.md"))] == ["VEP103"]


def test_directory_layout_passes():
    assert run_rule("VEP103", make_doc("# VEP #1: x\n", "veps/sig-compute/1-x/vep.md")) == []


def test_outside_veps_is_not_judged():
    assert run_rule("VEP103", make_doc("# VEP #1: x\n", "drafts/vep.md")) == []


def test_every_historic_flat_path_fails(history):
    index = json.loads(need(HISTORY / "index.json").read_text())
    flat = [e for e in index if e["path_at_commit"].count("/") == 2 and "template" not in e["path_at_commit"]]
    assert len(flat) > 30  # the old layout: veps/<sig>/<name>.md
    for entry in flat:
        doc = parse((HISTORY / entry["file"]).read_bytes(), entry["file"], entry["path_at_commit"])
        assert [f.rule for f in run_rule("VEP103", doc)] == ["VEP103"], entry["path_at_commit"]
