"""Cross-SIG only where it can matter: terms common to every SIG's VEPs are measured and left
out of the evidence, sister projects are known with their SIG, and the cross-SIG reviewer runs
only with a candidate SIG or a non-empty participating-sigs (agent/llm/build_sig_areas.py,
agent/llm/taxonomy.py, agent/llm/reviewers.py)."""

from __future__ import annotations

import datetime as dt

import yaml

from agent.document import parse, read
from agent.llm import build_sig_areas
from agent.llm.reviewers import BY_KEY, prepare
from agent.llm.taxonomy import AREAS_FILE, compile_areas, render, scan
from tests.conftest import CORPUS, make_ctx, make_doc, need


def corpus_veps():
    root = need(CORPUS)
    return [(p.parent.parent.name, read(str(p))) for p in sorted((root / "veps").glob("*/*/vep.md"))
            if "NNNN" not in str(p)]


def data():
    return yaml.safe_load(AREAS_FILE.read_text(encoding="utf-8"))


def test_terms_every_sig_uses_are_measured_and_left_out():
    areas = data()
    common = {(c["sig"], c["kind"], c["item"]) for c in areas["common"]}
    for term in ("virt-launcher", "virt-handler", "libvirt"):
        assert ("sig-compute", "term", term) in common
        assert term not in areas["sigs"]["sig-compute"]["terms"]
    for c in areas["common"]:  # the measured shares are written next to each item
        assert set(c["df"]) == {"sig-compute", "sig-network", "sig-storage"}
        assert min(c["df"].values()) >= build_sig_areas.COMMON_DF
    # SIG-specific terms stay
    assert "QEMU" in areas["sigs"]["sig-compute"]["terms"]
    assert "PVC" in areas["sigs"]["sig-storage"]["terms"]


def test_common_items_measures_every_big_sig(tmp_path):
    # three SIGs of five VEPs: "shared-word" in 2 of 5 of each (40%), "netonly" only in network VEPs
    taxonomy = {"sigs": {"sig-compute": {"terms": ["shared-word", "qemu-thing"]},
                         "sig-network": {"terms": ["netonly"]}, "sig-storage": {"terms": ["diskonly"]}}}
    corpus = tmp_path / "corpus"
    for sig, own in (("sig-compute", "qemu-thing"), ("sig-network", "netonly"), ("sig-storage", "diskonly")):
        for n in range(5):
            words = [own] + (["shared-word"] if n < 2 else [])
            path = corpus / "veps" / sig / f"{n}-x" / "vep.md"
            path.parent.mkdir(parents=True)
            path.write_text(f"# VEP #{n}: x\n\nThis uses {' and '.join(words)}.\n", encoding="utf-8")
    built = build_sig_areas.build(taxonomy, "t.yaml", b"", corpus)
    assert [(c["sig"], c["item"]) for c in built["common"]] == [("sig-compute", "shared-word")]
    assert built["sigs"]["sig-compute"]["terms"] == ["qemu-thing"]
    assert built["source"]["corpus"]["veps"] == {"sig-compute": 5, "sig-network": 5, "sig-storage": 5}
    # a matcher compiled from the result no longer sees the common word
    doc = make_doc("# VEP #1: x\n\nshared-word shared-word qemu-thing\n")
    assert {item for (_, item) in scan(doc, compile_areas(built)).evidence["sig-compute"].items} == {"qemu-thing"}


def test_network_and_storage_veps_rarely_get_sig_compute_proposed():
    # before the common terms were left out: 7 of 10 network and 7 of 8 storage VEPs
    proposed, total = {}, {}
    for sig, doc in corpus_veps():
        if sig in ("sig-network", "sig-storage"):
            total[sig] = total.get(sig, 0) + 1
            proposed[sig] = proposed.get(sig, 0) + ("sig-compute" in scan(doc).candidates)
    assert total == {"sig-network": 10, "sig-storage": 8}
    assert proposed["sig-network"] <= 3 and proposed["sig-storage"] <= 3, proposed


def test_cross_sig_reviewer_runs_where_it_can_matter():
    reviewer = BY_KEY["cross_sig"]
    ctx = make_ctx(None, today=dt.date(2026, 5, 1))
    runs = {doc.info.repo_path: reviewer.applies(prepare(doc, ctx))[0] for _, doc in corpus_veps()}
    # before: on every one of the 64 VEPs
    assert len(runs) == 64 and 12 <= sum(runs.values()) <= 32
    # a real cross-project concern (SSP's and HCO's role in golden images) is still reviewed
    assert runs["veps/sig-storage/48-dic-on-heterogeneous-cluster/vep.md"]
    assert not runs["veps/sig-network/168-masquerade-port-ranges/vep.md"]
    run, why = reviewer.applies(prepare(read(str(CORPUS / "veps/sig-network/168-masquerade-port-ranges/vep.md")), ctx))
    assert not run and "participating-sigs" in why


def test_participating_sigs_alone_make_the_reviewer_run():
    text = """
        ---
        owning-sig: sig-compute
        participating-sigs: [sig-network]
        ---
        # VEP #7: Guest clock

        ## Design

        A new clock option.
        """
    doc = make_doc(text)
    assert scan(doc).candidates == []
    assert BY_KEY["cross_sig"].applies(prepare(doc, make_ctx()))[0]
    empty = make_doc(text.replace("[sig-network]", "[]"))
    assert not BY_KEY["cross_sig"].applies(prepare(empty, make_ctx()))[0]


def test_sister_projects_are_known_with_their_sig_and_named_with_lines():
    areas = data()
    projects = areas["projects"]
    for name, sig in (("CDI", "sig-storage"), ("SSP", "sig-compute"), ("HCO", "sig-control-plane"),
                      ("CNAO", "sig-network"), ("Multus", "sig-network"), ("HPP", "sig-storage")):
        assert projects[name]["sig"] == sig and projects[name]["repo"] and projects[name]["owns"]
    # a project's names count once, as the project, not also as a SIG term
    assert "CDI" not in areas["sigs"]["sig-storage"]["terms"]
    assert "Multus" not in areas["sigs"]["sig-network"]["terms"]

    doc = read(str(need(CORPUS / "veps/sig-storage/48-dic-on-heterogeneous-cluster/vep.md")))
    report = scan(doc)
    named = report.projects()
    assert {"SSP", "HCO", "CDI"} <= set(named)
    sig, lines = named["SSP"]
    assert sig == "sig-compute" and all("SSP" in doc.lines[n - 1] for n in lines)
    text = render(report)
    assert "KubeVirt sister projects" in text
    assert f"SSP (sig-compute, kubevirt/ssp-operator): " in text and f"named at line {lines[0]}" in text
    assert "CNAO (sig-network, kubevirt/cluster-network-addons-operator)" in text  # listed even when not named


def test_a_project_name_in_prose_counts_for_its_sig():
    doc = parse(b"# VEP #3: x\n\nGolden images come from the SSP common templates, imported by CDI.\n",
                "veps/sig-network/3-x/vep.md", "veps/sig-network/3-x/vep.md")
    report = scan(doc)
    assert ("project", "SSP") in report.evidence["sig-compute"].items
    assert ("project", "CDI") in report.evidence["sig-storage"].items
    assert report.evidence["sig-storage"].score == 2
