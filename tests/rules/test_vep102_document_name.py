import json

from agent.document import parse
from tests.conftest import HISTORY, make_ctx, make_doc, need, run_rule


def test_misnamed_main_document_fails():
    doc = make_doc("# VEP #69: VM pools\n", "veps/sig-compute/69-vmpool/vm-pool.md")
    (f,) = run_rule("VEP102", doc)
    assert "`69-vmpool/vm-pool.md`" in f.fix and "vep.md" in f.fix


def test_vep_md_passes():
    assert run_rule("VEP102", make_doc("# VEP #69: VM pools\n", "veps/sig-compute/69-vmpool/vep.md")) == []


def test_supplementary_file_beside_vep_md_passes(corpus):
    path = corpus / "veps/sig-network/21-passt/passt-beta.md"
    doc = parse(need(path).read_bytes(), str(path), "veps/sig-network/21-passt/passt-beta.md")
    assert run_rule("VEP102", doc, make_ctx(corpus)) == []


def test_appendix_without_vep_title_is_not_the_main_document():
    doc = make_doc("# Appendix: comparison\n", "veps/meta-VEPs/297-x/appendix.md")
    assert run_rule("VEP102", doc) == []


def test_historic_misnamed_documents_fail(history):
    index = json.loads(need(HISTORY / "index.json").read_text())
    entry = next(e for e in index if e["path_at_commit"] == "veps/sig-compute/69-vmpool/vm-pool.md")
    doc = parse((HISTORY / entry["file"]).read_bytes(), entry["file"], entry["path_at_commit"])
    assert [f.rule for f in run_rule("VEP102", doc)] == ["VEP102"]
