from agent.document import parse
from agent.findings import Severity
from tests.conftest import make_ctx, make_doc, need, run_rule

LEGACY = """\
# VEP #123: Example feature

## Overview

Text.
"""

WITH_FM = """\
---
title: Example feature
vep-number: 123
---
# VEP #123: Example feature
"""


def test_legacy_vep_warns_with_minimal_block():
    (f,) = run_rule("VEP201", make_doc(LEGACY))
    assert f.severity is Severity.WARNING and f.line == 1
    assert "not yet migrated to VEP-282 front matter" in f.message
    assert "vep-number: 123" in f.fix and "owning-sig: sig-compute" in f.fix and "title: Example feature" in f.fix
    assert f.fix.count("\n---") == 2 and "\n---\ntitle:" in f.fix


def test_new_vep_is_an_error():
    (f,) = run_rule("VEP201", make_doc(LEGACY), make_ctx(has_base=True, base=None))
    assert f.severity is Severity.ERROR and "new VEP" in f.message
    assert 'creation-date: "2026-11-22"' in f.fix  # today, for a new VEP


def test_configured_new_is_an_error():
    ctx = make_ctx()
    ctx.config.new = True
    (f,) = run_rule("VEP201", make_doc(LEGACY), ctx)
    assert f.severity is Severity.ERROR


def test_front_matter_present_passes():
    assert run_rule("VEP201", make_doc(WITH_FM)) == []


def test_template_is_skipped():
    assert run_rule("VEP201", make_doc(LEGACY, "veps/NNNN-vep-template/vep.md")) == []


def test_removed_front_matter_is_left_to_vep202():
    base = make_doc(WITH_FM)
    assert run_rule("VEP201", make_doc(LEGACY), make_ctx(has_base=True, base=base)) == []


def test_block_below_the_title_is_pointed_at():
    doc = make_doc("# VEP #123: Example\n\n---\ntitle: Example\nstatus: provisional\n---\n\n## Overview\n")
    (f,) = run_rule("VEP201", doc)
    assert f.line == 3 and "first line of the file" in f.message


def test_horizontal_rules_and_yaml_in_code_fences_are_not_front_matter():
    doc = make_doc("# VEP #123: Example\n\n```yaml\n---\nstatus: x\ntitle: y\n---\n```\n\n---\n\nText\n")
    (f,) = run_rule("VEP201", doc)
    assert f.line == 1 and "not yet migrated" in f.message


def test_meta_vep_and_unknown_number_get_placeholders():
    (f,) = run_rule("VEP201", make_doc("Some text\n", "veps/meta-VEPs/notes/vep.md"))
    assert "owning-sig: sig-<name>" in f.fix and "vep-number: NNNN" in f.fix


def test_title_needing_quotes_is_quoted():
    (f,) = run_rule("VEP201", make_doc("# VEP #123: Live migration: `fast` mode\n"))
    assert 'title: "Live migration: `fast` mode"' in f.fix


def test_real_legacy_vep_warns(corpus):
    path = need(corpus / "veps/sig-network/183-dra-network/vep.md")
    doc = parse(path.read_bytes(), str(path), "veps/sig-network/183-dra-network/vep.md")
    (f,) = run_rule("VEP201", doc, make_ctx(corpus))
    assert f.severity is Severity.WARNING
    assert "vep-number: 183" in f.fix and "owning-sig: sig-network" in f.fix
    assert "title: Network Device DRA Support" in f.fix


def test_real_migrated_vep_passes(corpus):
    path = need(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    doc = parse(path.read_bytes(), str(path), "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    assert run_rule("VEP201", doc, make_ctx(corpus)) == []


def test_suggested_block_is_accepted_by_the_other_front_matter_rules(corpus):
    # the fix must itself be valid: paste it on a copy of VEP 10 (sig-compute) and re-check
    from agent.rules import all_rules
    from agent.engine import check_document

    path = need(corpus / "veps/sig-compute/10-dra-devices/vep.md")
    repo_path = "veps/sig-compute/10-dra-devices/vep.md"
    doc = parse(path.read_bytes(), str(path), repo_path)
    (f,) = run_rule("VEP201", doc, make_ctx(corpus, has_base=True, base=None))
    block = f.fix.split("\n", 1)[1]
    block = block.replace('"@github-handle"', '"@alaypatel07"')
    fixed = parse((block + "\n" + path.read_text()).encode(), str(path), repo_path)
    rules = [r for r in all_rules() if r.id.startswith("VEP2")]
    found = check_document(fixed, make_ctx(corpus), rules)
    assert [x for x in found if x.severity is Severity.ERROR] == []


def test_supplementary_documents_beside_vep_md_are_skipped(corpus):
    ctx = make_ctx(corpus)
    for rel in ("veps/sig-network/21-passt/passt-beta.md",
                "veps/meta-VEPs/297-coderabbit-adoption/appendix-coderabbit-vs-sourcery.md"):
        path = need(corpus / rel)
        assert run_rule("VEP201", parse(path.read_bytes(), str(path), rel), ctx) == []
    # a misnamed main document (no vep.md beside it) is still a VEP without front matter
    (f,) = run_rule("VEP201", make_doc(LEGACY, "veps/sig-compute/123-example/example.md"), ctx)
    assert "not yet migrated" in f.message
    # without a checkout: an appendix without a VEP title is skipped
    assert run_rule("VEP201", make_doc("# Appendix: numbers\n", "veps/sig-compute/123-example/appendix.md")) == []
