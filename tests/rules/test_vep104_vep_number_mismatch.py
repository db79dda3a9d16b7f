from agent.document import parse
from tests.conftest import make_doc, need, run_rule

FM = """\
---
title: Example
vep-number: {fm}
status: provisional
---
# VEP #{title}: Example
"""


def test_all_agree_passes():
    assert run_rule("VEP104", make_doc(FM.format(fm=123, title=123))) == []


def test_title_disagrees_points_at_title():
    (f,) = run_rule("VEP104", make_doc(FM.format(fm=123, title=124)))
    assert f.line == 6 and "title says 124" in f.message and "directory says 123" in f.message


def test_front_matter_disagrees_points_at_key():
    (f,) = run_rule("VEP104", make_doc(FM.format(fm=99, title=123)))
    assert f.line == 3


def test_a_digit_that_is_not_a_number_is_left_to_vep206():
    # "³" is a digit to str.isdigit() but not to int(): no internal error, no comparison
    from agent.engine import check_document
    from tests.conftest import make_ctx

    doc = make_doc(FM.format(fm='"³"', title=123))
    assert run_rule("VEP104", doc) == []
    assert "VEP000" not in {f.rule for f in check_document(doc, make_ctx())}


def test_real_historic_mismatch(corpus):
    # VEP 165 (containerpath volumes) once lived in 161-containerpath-volumes/ with title #165
    path = need(corpus / "veps/sig-storage/165-containerpath-volumes/vep.md")
    doc = parse(path.read_bytes(), str(path), "veps/sig-storage/161-containerpath-volumes/vep.md")
    assert [f.rule for f in run_rule("VEP104", doc)] == ["VEP104"]
    doc = parse(path.read_bytes(), str(path), "veps/sig-storage/165-containerpath-volumes/vep.md")
    assert run_rule("VEP104", doc) == []
