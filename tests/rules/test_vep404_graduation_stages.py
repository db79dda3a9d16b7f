from agent.document import parse
from tests.conftest import make_ctx, make_doc, need, run_rule

HEAD = """\
# VEP #123: Example

## VEP Status Metadata

### Target releases

{targets}

## Design

The feature is behind the `Example` feature gate.

"""


def vep(graduation, targets="- This VEP targets alpha for version: v1.9", design=None, path=None):
    text = HEAD.format(targets=targets) + graduation
    if design is not None:
        text = text.replace("The feature is behind the `Example` feature gate.", design)
    return make_doc(text, path or "veps/sig-compute/123-example/vep.md")


def test_three_stage_headings_pass():
    assert run_rule("VEP404", vep("## Graduation Requirements\n\n### Alpha (v1.9)\n\n- x\n\n### Beta\n\n### GA\n")) == []


def test_bold_and_list_labels_count():
    assert run_rule("VEP404", vep("## Feature Lifecycle Phases\n\n**Alpha:**\n- x\n\n- **Beta:** y\n- GA: z\n")) == []


def test_general_availability_and_combined_headings_count():
    assert run_rule("VEP404", vep("## Graduation Requirements\n\n### Alpha\n\nx\n\n### Beta / General Availability\n")) == []


def test_missing_beta_is_reported_at_the_section():
    doc = vep("## Graduation Requirements\n\n### Alpha\n\n- x\n\n### GA\n\n- y\n")
    (f,) = run_rule("VEP404", doc)
    assert f.message == "The `Graduation Requirements` section has no Beta stage."
    assert f.line == doc.find("Graduation Requirements").line and f.severity.value == "warning"


def test_prose_mentions_do_not_count():
    doc = vep("## Graduation Requirements\n\nWe will graduate to Beta and then GA once users are happy.\n")
    (f,) = run_rule("VEP404", doc)
    assert "no Alpha, Beta and GA stages" in f.message


def test_error_with_front_matter():
    doc = make_doc("---\ntitle: x\nvep-number: 123\nfeature-gate: Example\n---\n"
                   "# VEP #123: x\n\n## Graduation Requirements\n\n### Alpha\n\nx\n")
    (f,) = run_rule("VEP404", doc)
    assert f.severity.value == "error" and "no Beta and GA stages" in f.message


def test_struck_alpha_target_skips_alpha():
    targets = "- ~This VEP targets alpha for version:~\n- This VEP targets beta for version: v1.8"
    assert run_rule("VEP404", vep("## Graduation Requirements\n\n### Beta\n\nx\n\n### GA\n", targets)) == []


def test_direct_ga_needs_no_stages():
    grad = ("## Graduation Requirements\n\nThis VEP is intended to jump straight to GA, because it only "
            "reshapes an existing feature.\n")
    assert run_rule("VEP404", vep(grad, design="No new API.")) == []


def test_no_gate_opt_out_needs_no_stages():
    grad = ("## Graduation Requirements\n\nThis feature does not require a feature gate because it introduces no "
            "new functionality.\n\n### Requirements\n\n- [ ] validation\n")
    assert run_rule("VEP404", vep(grad, design="A new way to configure existing behavior.")) == []


def test_stage_headings_right_after_the_section_count():
    # VEP 111 writes `## Beta` right after an empty `## Graduation Requirements`
    doc = vep("## Graduation Requirements\n\n## Alpha\n\nx\n\n## Beta\n\ny\n\n## GA\n\nz\n")
    assert run_rule("VEP404", doc) == []


def test_meta_veps_and_missing_sections_are_not_checked():
    assert run_rule("VEP404", vep("## Graduation Requirements\n\nEffective from v1.9.\n",
                                  path="veps/meta-VEPs/229-beta/vep.md")) == []
    assert run_rule("VEP404", vep("## Other\n\ntext\n")) == []


def test_real_veps_pass(corpus):
    for rel in ("veps/sig-network/307-vhostuser-binding-plugin/vep.md",  # ### Alpha/Beta/GA
                "veps/sig-storage/41-vm-object-graph/vep.md",  # - **Alpha:** labels
                "veps/sig-network/106-decouple-nad/vep.md",  # alpha struck through in Target releases
                "veps/sig-compute/100-introduce-custom-metadata-to-cloudinit/vep.md"):  # directly to GA
        path = need(corpus / rel)
        assert run_rule("VEP404", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == [], rel


def test_real_vep_with_stage_removed(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = need(corpus / rel).read_text().replace("### Beta\n", "")
    (f,) = run_rule("VEP404", parse(text.encode(), "vep.md", rel), make_ctx(corpus))
    assert f.severity.value == "error" and "no Beta stage" in f.message


def test_real_process_vep_is_exempt(corpus):
    # VEP 233 (release branch EOL policy) is a process VEP outside meta-VEPs, with Phase 1-3
    # instead of Alpha/Beta/GA: "This is a process VEP and does not follow the standard
    # Alpha/Beta/GA feature graduation model" (docs/vep-governance.md exempts process VEPs)
    rel = "veps/sig-release/233-release-branch-eol-policy/vep.md"
    path = need(corpus / rel)
    doc = parse(path.read_bytes(), str(path), rel)
    assert doc.is_process and not doc.is_meta
    assert run_rule("VEP404", doc, make_ctx(corpus)) == []
    (info,) = run_rule("VEP501", doc, make_ctx(corpus))  # the exemption is said, not silent
    assert info.severity.value == "info" and info.line == 275


def test_gated_vep_with_ga_only_is_missing_alpha_and_beta():
    from tests.conftest import make_doc, run_rule

    doc = make_doc("""\
    # VEP #123: Example

    ## Design

    The `ExampleGate` feature gate guards the new field.

    ## Graduation Requirements

    ### GA

    - Since the feature has been used for two releases, it graduates.
    """)
    (f,) = run_rule("VEP404", doc)
    assert "Alpha and Beta" in f.message
