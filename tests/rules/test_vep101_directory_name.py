import json

import pytest

from agent.document import parse
from tests.conftest import make_doc, run_rule, need, HISTORY

BODY = "# VEP #16: Image volume\n"


@pytest.mark.parametrize("directory", ["16-image volume", "0176_redfish_support", "80-TDX-SEV-SNP",
                                       "207-pauseProbes", "arm64-secure-boot", "104_allow_disabling_feature_gates"])
def test_bad_names_fail(directory):
    (f,) = run_rule("VEP101", make_doc(BODY, f"veps/sig-compute/{directory}/vep.md"))
    assert f.rule == "VEP101" and f.severity.value == "error"
    assert directory in f.message


def test_fix_suggests_conforming_name():
    (f,) = run_rule("VEP101", make_doc(BODY, "veps/sig-compute/0176_redfish_support/vep.md"))
    assert "`176-redfish-support/`" in f.fix
    (f,) = run_rule("VEP101", make_doc(BODY, "veps/sig-compute/207-pauseProbes/vep.md"))
    assert "`207-pause-probes/`" in f.fix


@pytest.mark.parametrize("directory", ["16-image-volume", "307-vhostuser-binding-plugin", "3-link-state-proposal"])
def test_good_names_pass(directory):
    assert run_rule("VEP101", make_doc(BODY, f"veps/sig-compute/{directory}/vep.md")) == []


def test_real_corpus_names_pass(corpus):
    paths = sorted(corpus.glob("veps/*/*/vep.md"))
    assert len(paths) > 50
    for path in paths:
        rel = path.relative_to(corpus).as_posix()
        doc = parse(path.read_bytes(), rel, rel)
        assert run_rule("VEP101", doc) == [], rel


def test_historic_names_fail(history):
    index = json.loads(need(HISTORY / "index.json").read_text())
    bad = {e["path_at_commit"] for e in index
           if e["path_at_commit"].split("/")[2] in ("0176_redfish_support", "16-image volume", "62-priority queue",
                                                    "80-TDX-SEV-SNP", "207-pauseProbes", "19-IBM-Z-secure-execution")}
    assert len(bad) >= 6
    for entry in index:
        if entry["path_at_commit"] in bad:
            doc = parse((HISTORY / entry["file"]).read_bytes(), entry["file"], entry["path_at_commit"])
            assert "VEP101" in {f.rule for f in run_rule("VEP101", doc)}, entry["path_at_commit"]
