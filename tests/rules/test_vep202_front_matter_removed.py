from agent.document import parse
from agent.findings import Severity
from tests.conftest import make_ctx, make_doc, need, run_rule

FM = """\
---
title: Example
vep-number: 123
status: implementable
---
# VEP #123: Example
"""
BODY = "# VEP #123: Example\n"


def test_removed_front_matter_is_an_error():
    (f,) = run_rule("VEP202", make_doc(BODY), make_ctx(has_base=True, base=make_doc(FM)))
    assert f.severity is Severity.ERROR and f.line == 1
    assert "removed" in f.message and "status: implementable" in f.message


def test_kept_front_matter_passes():
    assert run_rule("VEP202", make_doc(FM), make_ctx(has_base=True, base=make_doc(FM))) == []


def test_no_base_or_legacy_base_passes():
    assert run_rule("VEP202", make_doc(BODY)) == []
    assert run_rule("VEP202", make_doc(BODY), make_ctx(has_base=True, base=make_doc(BODY))) == []
    assert run_rule("VEP202", make_doc(BODY), make_ctx(has_base=True, base=None)) == []


def test_broken_block_is_not_removed():
    broken = "---\ntitle: [unclosed\n---\n# VEP #123: Example\n"
    assert run_rule("VEP202", make_doc(broken), make_ctx(has_base=True, base=make_doc(FM))) == []


def test_base_with_broken_block_still_counts():
    broken = make_doc("---\ntitle: [unclosed\n---\n# VEP #123: Example\n")
    (f,) = run_rule("VEP202", make_doc(BODY), make_ctx(has_base=True, base=broken))
    assert "status" not in f.message


def test_real_vep_307_with_front_matter_stripped(corpus):
    path = need(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    repo_path = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    base = parse(path.read_bytes(), str(path), repo_path)
    stripped = path.read_text().split("\n---\n", 1)[1]
    doc = parse(stripped.encode(), str(path), repo_path)
    assert doc.front_matter is None
    (f,) = run_rule("VEP202", doc, make_ctx(corpus, has_base=True, base=base))
    assert "status: deferred" in f.message
    # and the legacy leniency does not soften it
    assert f.severity is Severity.ERROR
    assert run_rule("VEP201", doc, make_ctx(corpus, has_base=True, base=base)) == []
