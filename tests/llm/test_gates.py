"""Feature-gate status and declared stage (agent/llm/gates.py)."""

import pytest

from agent.llm.gates import gate_status, simple_gate_status
from agent.stage import review_stage
from agent.document import read
from tests.conftest import make_doc


@pytest.mark.parametrize("status_of", [gate_status, simple_gate_status])
def test_named_in_front_matter_or_body(status_of):
    fm = make_doc("""
        ---
        feature-gate: VolumeCache
        stage: beta
        ---
        # VEP #1: x
        """)
    g = status_of(fm)
    assert g.named == "VolumeCache" and g.named_line == 2 and not g.needs_review
    body = make_doc("""
        # VEP #1: x

        ## Design

        The change is guarded by the `VolumeCache` feature gate.
        """)
    assert status_of(body).named == "VolumeCache"


@pytest.mark.parametrize("status_of", [gate_status, simple_gate_status])
def test_opt_out_without_a_name_needs_review(status_of):
    doc = make_doc("""
        # VEP #1: x

        ## Graduation Requirements

        This VEP does not need a feature gate because it only changes a default.
        """)
    g = status_of(doc)
    assert g.named is None and g.needs_review
    assert [line for line, _ in g.opt_out] == [doc.line_of("does not need a feature gate")]


def test_meta_veps_are_exempt():
    doc = make_doc("# VEP #2: Process\n", repo_path="veps/meta-VEPs/2-process/vep.md")
    assert gate_status(doc).exempt and not gate_status(doc).needs_review


def test_odd_front_matter_values_do_not_raise():
    doc = make_doc("""
        ---
        feature-gate: [1, {a: b}]
        stage: 3
        ---
        # VEP #1: x
        """)
    gate_status(doc)
    assert simple_gate_status(doc).named is None
    assert review_stage(doc).stage is None


def test_real_corpus_opt_out(corpus):
    doc = read(str(corpus / "veps/sig-compute/250-vmi-serviceaccountname/vep.md"))
    g = gate_status(doc)
    assert g.named is None and g.needs_review
    assert any("does not require a feature gate" in text for _, text in g.opt_out)
    named = gate_status(read(str(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")))
    assert named.named == "NetworkBindingPlugins"
