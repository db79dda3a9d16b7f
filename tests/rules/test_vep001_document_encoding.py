from agent.document import parse
from tests.conftest import make_ctx, run_rule

GOOD = b"# VEP #1: Title\n\n## Overview\n\nText.\n"


def test_clean_utf8_passes():
    assert run_rule("VEP001", parse(GOOD, "vep.md")) == []


def test_binary_reported_and_nothing_else_runs():
    doc = parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "vep.md")
    from agent.engine import check_document

    findings = check_document(doc, make_ctx())
    assert [f.rule for f in findings] == ["VEP001"]
    assert "binary" in findings[0].message


def test_invalid_utf8_points_at_line():
    doc = parse(b"# VEP #1: T\n\nbad \xff byte\n", "vep.md")
    (f,) = run_rule("VEP001", doc)
    assert f.line == 3 and f.severity.value == "error"


def test_bom_and_crlf_are_info():
    doc = parse(b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"), "vep.md")
    findings = run_rule("VEP001", doc)
    assert {f.severity.value for f in findings} == {"info"}
    assert len(findings) == 2
    assert doc.title.number == 1  # content read through BOM and CRLF
