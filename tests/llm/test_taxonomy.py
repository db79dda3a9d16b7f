"""The cross-SIG pre-pass and its data file (agent/llm/taxonomy.py, agent/llm/build_sig_areas.py)."""

from pathlib import Path

from agent.document import read
from agent.llm import build_sig_areas
from agent.llm.taxonomy import AREAS_FILE, render, scan
from tests.conftest import SHARED, make_doc, need

NETWORK_VEP = """
    ---
    owning-sig: sig-network
    participating-sigs: []
    ---
    # VEP #5: Example

    ## Design

    The binding hot-plugs a `Disk` backed by a PVC and a DataVolume, and patches
    pkg/virt-controller/watch/vm to restart the VM. Another Disk is mentioned in plain prose.
    """


def test_storage_terms_in_a_network_vep_make_sig_storage_a_candidate():
    doc = make_doc(NETWORK_VEP, repo_path="veps/sig-network/5-example/vep.md")
    report = scan(doc)
    assert report.owning == "sig-network" and report.declared and report.participating == []
    assert "sig-storage" in report.candidates
    storage = report.evidence["sig-storage"]
    line = doc.line_of("The binding hot-plugs")
    assert storage.items[("term", "DataVolume")] == [line]
    assert storage.items[("term", "PVC")] == [line]
    assert ("type", "Disk") in storage.items and storage.items[("type", "Disk")] == [line]  # the backticked one only
    text = render(report)
    assert "sig-storage (candidate" in text and f"line {line}" in text


def test_longest_code_path_wins():
    report = scan(make_doc(NETWORK_VEP, repo_path="veps/sig-network/5-example/vep.md"))
    assert ("path", "pkg/virt-controller/watch/vm") in report.evidence["sig-compute"].items
    control_plane = report.evidence.get("sig-control-plane")
    assert control_plane is None or ("path", "pkg/virt-controller/watch") not in control_plane.items


def test_participating_sigs_are_not_candidates_and_odd_values_do_not_raise():
    doc = make_doc(NETWORK_VEP.replace("participating-sigs: []", "participating-sigs: [sig-storage]"),
                   repo_path="veps/sig-network/5-example/vep.md")
    assert "sig-storage" not in scan(doc).candidates
    for odd in ("participating-sigs: 5", "participating-sigs: {a: b}", "participating-sigs:", "owning-sig: [x]"):
        doc = make_doc(NETWORK_VEP.replace("participating-sigs: []", odd), repo_path="veps/sig-network/5-example/vep.md")
        scan(doc)


def test_legacy_vep_without_front_matter_uses_the_directory(corpus):
    report = scan(read(str(corpus / "veps/sig-storage/25-incremental-backup/vep.md")))
    assert report.owning == "sig-storage" and not report.declared
    assert "sig-compute" in report.candidates  # QEMU, domain XML, node drain, eviction…
    # 90-utility-volumes names sig-compute's areas only through terms every SIG's VEPs use
    report = scan(read(str(corpus / "veps/sig-storage/90-utility-volumes/vep.md")))
    assert report.owning == "sig-storage" and "sig-compute" not in report.candidates


def test_real_vep_hits_point_at_lines_holding_the_term(corpus):
    doc = read(str(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md"))
    report = scan(doc)
    assert report.candidates[:1] == ["sig-compute"]
    for (kind, item), lines in report.evidence["sig-compute"].items.items():
        if kind == "term":
            for n in lines:
                assert item.lower().split()[0] in doc.lines[n - 1].lower()


def test_committed_sig_areas_file_is_current():
    taxonomy = need(SHARED / "data" / "sig-taxonomy.yaml")
    assert build_sig_areas.render(Path(taxonomy)) == AREAS_FILE.read_text(encoding="utf-8"), \
        "regenerate with: python -m agent.llm.build_sig_areas ../shared/data/sig-taxonomy.yaml > agent/data/sig-areas.yaml"


def test_derivation_drops_noise():
    import yaml

    data = yaml.safe_load(AREAS_FILE.read_text(encoding="utf-8"))
    compute = data["sigs"]["sig-compute"]
    assert "VirtualMachineInstance" not in compute.get("types", [])
    assert "Disk" in data["sigs"]["sig-storage"]["quoted_types"]
    assert "feature gate" not in data["sigs"]["sig-control-plane"]["terms"]
    assert all("/" in p for sig in data["sigs"].values() for p in sig.get("paths", []))
    assert "feature_gates" not in data["topics"]
