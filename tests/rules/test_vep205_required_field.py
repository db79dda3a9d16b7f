from agent.document import parse
from tests.conftest import make_doc, need, run_rule

VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
COMPLETE = """\
---
title: Example
vep-number: 123
creation-date: "2025-01-31"
status: provisional
authors: ["@jdoe"]
owning-sig: sig-compute
reviewers: [TBD]
approvers: [TBD]
---
# VEP #123: Example
"""


def test_complete_block_passes():
    assert run_rule("VEP205", make_doc(COMPLETE)) == []


def test_each_missing_field_is_reported_at_the_opening_line():
    fs = run_rule("VEP205", make_doc("---\ntitle: Example\n---\n# VEP #123: Example\n"))
    assert len(fs) == 7 and {f.line for f in fs} == {1}
    assert "`owning-sig`" in " ".join(f.message for f in fs)
    owning = next(f for f in fs if "owning-sig" in f.message)
    assert owning.fix == "Add `owning-sig: sig-compute`."  # from the directory


def test_empty_values_count_as_missing():
    text = COMPLETE.replace("title: Example", 'title: ""').replace("reviewers: [TBD]", "reviewers: []")
    text = text.replace('authors: ["@jdoe"]', "authors:")
    fs = run_rule("VEP205", make_doc(text))
    assert [(f.line, f.message) for f in fs] == [(2, "`title` is empty."), (6, "`authors` is empty."),
                                                 (8, "`reviewers` is empty.")]


def test_hash_number_is_a_comment():
    (f,) = run_rule("VEP205", make_doc(COMPLETE.replace("vep-number: 123", "vep-number: #123")))
    assert f.line == 3 and "YAML comment" in f.message and f.fix == "Write the number without `#`: `vep-number: 123`."


def test_misspelled_key_is_named():
    (f,) = run_rule("VEP205", make_doc(COMPLETE.replace("owning-sig:", "owning_sig:")))
    assert "`owning_sig` at line 7" in f.message and f.fix == "Rename `owning_sig` to `owning-sig`."


def test_stage_is_not_taken_for_a_misspelt_status():
    (f,) = run_rule("VEP205", make_doc(COMPLETE.replace("status: provisional", "stage: alpha")))
    assert f.message == "The front matter has no `status` field."


def test_template_and_broken_blocks_are_skipped():
    assert run_rule("VEP205", make_doc("---\ntitle: x\n---\n", "veps/NNNN-vep-template/vep.md")) == []
    assert run_rule("VEP205", make_doc("---\ntitle: [x\n---\n")) == []


def test_real_vep_307(corpus):
    path = need(corpus / VEP307)
    assert run_rule("VEP205", parse(path.read_bytes(), str(path), VEP307)) == []
    text = path.read_text().replace("owning-sig: sig-network\n", "").replace('  - "@EdDev"\n', "")
    fs = run_rule("VEP205", parse(text.encode(), str(path), VEP307))
    assert sorted(f.message for f in fs) == ["The front matter has no `owning-sig` field.", "`approvers` is empty."]
