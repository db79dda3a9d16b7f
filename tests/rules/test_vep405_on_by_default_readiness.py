from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

LEGACY = """\
# VEP #123: Example

## VEP Status Metadata

### Target releases

- This VEP targets alpha for version: v1.9
- This VEP targets beta for version: {beta}

## Graduation Requirements

### Alpha

- x

### Beta

- y
{readiness}
### GA
"""
READY = "\n#### On-By-Default Readiness\n\n- Known issues closed; alerts in place; admins can disable the gate.\n"


def legacy(beta="v1.10", readiness=""):
    return make_doc(LEGACY.format(beta=beta, readiness=readiness))


def with_front_matter(fm, readiness=""):
    body = LEGACY.split("## Graduation Requirements")[1]
    return make_doc(f"---\ntitle: x\nvep-number: 123\n{fm}---\n# VEP #123: x\n\n## Graduation Requirements"
                    + body.format(readiness=readiness))


def test_beta_target_with_readiness_passes():
    assert run_rule("VEP405", legacy(readiness=READY)) == []


def test_beta_target_without_readiness_is_reported_at_beta():
    doc = legacy()
    (f,) = run_rule("VEP405", doc)
    assert "targets Beta (v1.10)" in f.message and f.line == doc.find("Beta").line
    assert f.severity.value == "warning"  # legacy


def test_empty_readiness_section_is_reported():
    doc = legacy(readiness="\n#### On-By-Default Readiness\n\n<!-- Beta features are enabled by default. -->\n")
    (f,) = run_rule("VEP405", doc)
    assert "is empty" in f.message and f.line == doc.find("On-By-Default Readiness").line


def test_no_beta_target_passes():
    assert run_rule("VEP405", legacy(beta="")) == []
    assert run_rule("VEP405", legacy(beta="TBD")) == []


def test_beta_before_on_by_default_policy_passes():
    assert run_rule("VEP405", legacy(beta="v1.8")) == []


def test_front_matter_stage_beta_is_an_error():
    (f,) = run_rule("VEP405", with_front_matter("stage: beta\nmilestone:\n  alpha: v1.9\n  beta: v1.10\n"))
    assert f.severity.value == "error" and "(v1.10)" in f.message
    assert run_rule("VEP405", with_front_matter("stage: beta\nmilestone: {beta: v1.10}\n", READY)) == []


def test_front_matter_planned_beta_counts_unless_ga():
    assert len(run_rule("VEP405", with_front_matter("stage: alpha\nmilestone: {alpha: v1.9, beta: v1.10}\n"))) == 1
    assert run_rule("VEP405", with_front_matter("stage: ga\nmilestone: {beta: v1.10, ga: v1.11}\n")) == []
    assert run_rule("VEP405", with_front_matter("stage: alpha\nmilestone: {alpha: v1.9, beta: TBD}\n")) == []


def test_odd_front_matter_values_do_not_break_it():
    assert run_rule("VEP405", with_front_matter("stage: [beta]\nmilestone: [v1.10]\n")) == []
    assert run_rule("VEP405", with_front_matter("stage:\nmilestone:\n  beta: {x: 1}\n")) == []


def test_meta_vep_is_exempt():
    doc = make_doc(LEGACY.format(beta="v1.10", readiness=""), "veps/meta-VEPs/123-example/vep.md")
    assert run_rule("VEP405", doc) == []


def test_real_vep_targeting_beta(corpus):
    # VEP 183 (DRA networking) targets beta for v1.10 and predates the template's section
    rel = "veps/sig-network/183-dra-network/vep.md"
    path = need(corpus / rel)
    (f,) = run_rule("VEP405", parse(path.read_bytes(), str(path), rel), make_ctx(corpus))
    assert "targets Beta (v1.10)" in f.message
    text = path.read_text().replace("### GA", READY + "\n### GA", 1)
    assert run_rule("VEP405", parse(text.encode(), str(path), rel), make_ctx(corpus)) == []


def test_real_vep_not_targeting_beta(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    path = need(corpus / rel)
    assert run_rule("VEP405", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == []
    text = path.read_text().replace('  alpha: "TBD"', '  alpha: "v1.9"\n  beta: "v1.10"')
    (f,) = run_rule("VEP405", parse(text.encode(), str(path), rel), make_ctx(corpus))
    assert f.severity.value == "error"
