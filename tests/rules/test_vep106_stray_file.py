"""VEP106: files other than markdown loose under veps/ or veps/<sig>/ (upstream's
check-vep-naming.py fails them)."""


import pytest

from agent.document import parse
from agent.engine import check_paths
from agent.github.source import ChangedFile, is_vep_candidate
from tests.conftest import make_doc, run_rule

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def test_image_directly_under_a_sig_directory_fails():
    (f,) = run_rule("VEP106", parse(PNG, "vm-pool.png", "veps/sig-compute/vm-pool.png"))
    assert f.severity.value == "error" and "directly under `veps/sig-compute/`" in f.message
    assert "veps/sig-compute/<issue-number>-<name>/vm-pool.png" in f.fix


def test_diagram_directly_under_veps_fails():
    (f,) = run_rule("VEP106", make_doc("graph TD; a-->b\n", "veps/flow.mmd"))
    assert "outside any SIG and VEP directory" in f.message


@pytest.mark.parametrize("path", ["veps/sig-compute/69-vmpool/arch.png", "veps/sig-compute/OWNERS",
                                  "veps/sig-compute/69-vmpool/vep.md", "veps/sig-compute/old-flat.md",
                                  "docs/image.png"])
def test_files_in_place_or_markdown_pass(path):
    assert run_rule("VEP106", make_doc("x\n", path)) == []


def test_a_loose_image_gets_only_the_placement_rule(tmp_path):
    sig = tmp_path / "veps" / "sig-compute"
    (sig / "69-vmpool").mkdir(parents=True)
    (sig / "69-vmpool" / "vep.md").write_text("# VEP #69: VM pool\n")
    (sig / "69-vmpool" / "arch.png").write_bytes(PNG)
    (sig / "arch.png").write_bytes(PNG)
    (sig / "OWNERS").write_text("approvers: [a]\n")
    report = check_paths([str(tmp_path / "veps")])
    loose = [fr for fr in report.files if fr.path.endswith("sig-compute/arch.png")]
    assert [f.rule for fr in loose for f in fr.findings] == ["VEP106"]  # no VEP001 binary, no VEP201
    checked = sorted(fr.path for fr in report.files)  # repository-relative
    assert checked == ["veps/sig-compute/69-vmpool/vep.md", "veps/sig-compute/arch.png"]


def test_a_pull_request_adding_a_loose_image_is_checked():
    assert is_vep_candidate("veps/sig-network/topology.svg")
    assert not is_vep_candidate("veps/sig-network/12-x/topology.svg")
    assert not is_vep_candidate("veps/sig-network/OWNERS")
    assert ChangedFile  # the GitHub path reads it like a document (tests/test_github_pull_request.py)


def test_a_named_owners_file_gets_no_document_rules(tmp_path):
    owners = tmp_path / "veps" / "sig-compute" / "OWNERS"
    owners.parent.mkdir(parents=True)
    owners.write_text("approvers:\n  - someone\n")
    (fr,) = check_paths([str(owners)]).files
    assert fr.findings == [] and fr.error is None  # no VEP201 front-matter-missing on an OWNERS file
