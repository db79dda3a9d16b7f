from agent.document import parse
from agent.engine import check_document
from tests.conftest import make_ctx, run_rule


def test_empty_file_is_one_finding():
    findings = check_document(parse(b"", "veps/sig-compute/1-x/vep.md", "veps/sig-compute/1-x/vep.md"), make_ctx())
    assert [f.rule for f in findings] == ["VEP002"]


def test_whitespace_only_is_empty():
    assert [f.rule for f in run_rule("VEP002", parse(b"  \n\n\t\n", "vep.md"))] == ["VEP002"]


def test_content_passes():
    assert run_rule("VEP002", parse(b"# VEP #1: x\n", "vep.md")) == []
