import pytest

from agent.document import parse
from agent.rules.vep501_feature_gate_missing import body_gates, gate_facts, sentence_at
from agent.template import load_template
from tests.conftest import make_ctx, make_doc, need, run_rule

BODY = """\
# VEP #123: Example

## Design

{design}

## Alternatives

{alternatives}

## Graduation Requirements

{graduation}
"""
STAGES = "### Alpha\n\n- [ ] Feature gate guards all code changes\n\n### Beta\n\n- y\n\n### GA\n\n- z\n"


def vep(design="Design text.", alternatives="None.", graduation=STAGES, fm=None, path="veps/sig-compute/123-x/vep.md"):
    text = BODY.format(design=design, alternatives=alternatives, graduation=graduation)
    if fm is not None:
        text = f"---\ntitle: x\nvep-number: 123\n{fm}---\n" + text
    return make_doc(text, path)


def names(text):
    return [g.name for g in body_gates(make_doc(f"# VEP #1: x\n\n## Design\n\n{text}\n"))]


@pytest.mark.parametrize("text, expected", [
    ("This design introduces a new feature gate: `GPUsWithDRA`.", "GPUsWithDRA"),
    ("protected by a feature gate called ImageVolume that is disabled", "ImageVolume"),
    ("This feature will be introduced behind a feature gate named\n`PCINUMAAwareTopology`", "PCINUMAAwareTopology"),
    ("- Implementation behind a feature gate RecreateVMIOnReboot", "RecreateVMIOnReboot"),
    ("protected by the LibvirtHooksServerAndClient feature gate.", "LibvirtHooksServerAndClient"),
    ("The AMD SEV-SNP feature sits behind the existing SEV feature gate", "SEV"),
    ("- [ ] Feature gate (`Plugins`) guards all code changes.", "Plugins"),
    ("A dedicated feature gate, `ConfigurableHypervisor`, guards the new functionality", "ConfigurableHypervisor"),
    ("`IncrementalBackup` FeatureGate must be enabled in order to create this CR.", "IncrementalBackup"),
    ("Proposed Feature Gate name: `MasqueradePortRanges`.", "MasqueradePortRanges"),
    ("A new Feature Gate will be introduced named `ExternalNetResourceInjection`, in preparation", "ExternalNetResourceInjection"),
    ("- `MigrationCompression` Alpha feature gate", "MigrationCompression"),
    ("A feature-gate named `passtIPStackMigration` will be introduced", "passtIPStackMigration"),
    ("1. `HotplugVolumes` - This existing featuregate will enable declarative hotplug", "HotplugVolumes"),
    ("Panic Devices are only supported on KVM if PanicDevice FG is enabled", "PanicDevice"),
    ("Turn on the feature gate isolationMode first.", "isolationMode"),  # not "olationMode" after "is"
    ("```yaml\nspec:\n  configuration:\n    developerConfiguration:\n      featureGates:\n        - VMExport\n```",
     "VMExport"),
])
def test_gate_names_are_found(text, expected):
    assert expected in names(text)


@pytest.mark.parametrize("text", [
    "- [ ] Feature gate guards all code changes",
    "Implement Feature Gate and unit tests.",
    "The feature should be behind a Feature Gate at first, similar to AMD SEV.",
    "Enable the KubeVirt feature gates in `kv.spec.configuration.developerConfiguration.featureGates`.",
    "- Lock feature gate ON",
    "A new **Alpha** feature gate is introduced. When disabled, all behavior remains (`iterationChan` falls through)",
])
def test_no_gate_name_in(text):
    assert names(text) == []


def test_named_gate_passes():
    assert run_rule("VEP501", vep("The feature is behind the `Example` feature gate.")) == []
    assert run_rule("VEP501", vep(fm="feature-gate: Example\n")) == []


def test_front_matter_must_name_the_gate_the_body_names():
    doc = vep("The feature is behind the `Example` feature gate.", fm="status: provisional\n")
    (f,) = run_rule("VEP501", doc)
    line = doc.line_of("`Example`")
    assert f.message == f"The front matter has no `feature-gate`, though the body names the `Example` gate (line {line})."
    assert f.fix == "Add `feature-gate: Example` to the front matter." and f.severity.value == "error"
    # a placeholder value is VEP206's to report
    assert run_rule("VEP501", vep("The feature is behind the `Example` feature gate.", fm="feature-gate: TBD\n")) == []


def test_nothing_named_is_reported():
    doc = vep()
    (f,) = run_rule("VEP501", doc)
    assert f.message.startswith("No feature gate is named: the body neither names one")
    assert f.line == doc.find("Graduation Requirements").line and f.severity.value == "warning"


def test_front_matter_without_gate_is_an_error_at_the_front_matter():
    for fm in ("status: provisional\n", "feature-gate: TBD\n", "feature-gate: FeatureName\n", "feature-gate: [TBD]\n"):
        (f,) = run_rule("VEP501", vep(fm=fm))
        assert f.severity.value == "error" and "front matter names no `feature-gate`" in f.message


@pytest.mark.parametrize("design", [
    "This feature does not require a feature gate because it introduces no new functionality.",
    "No feature gate: the old and new schemes cannot coexist in one launcher.",
    "It will not be feature gated, since the old behaviour is a bug.",
    "We add it without a feature gate due to the tiny scope.",
    "A feature gate is not needed because the change only removes dead code.",
    "This VEP adds logic under the existing `VSOCK` feature gate.",
])
def test_justified_opt_outs_pass(design):
    assert run_rule("VEP501", vep(design)) == []


def test_opt_out_without_reason_is_reported_at_its_line():
    doc = make_doc("# VEP #123: x\n\n## VEP Status Metadata\n\n### Target releases\n\n"
                   "This VEP does not have graduation phases guarded by a feature gate.\n- Ship target version:\n\n"
                   "## Graduation Requirements\n\n" + STAGES)
    (f,) = run_rule("VEP501", doc)
    assert f.line == 7 and "gives no reason" in f.message and "does not have graduation phases" in f.message


def test_direct_ga_reasoning_in_graduation_counts():
    grad = ("### GA\n\n**Rationale for direct GA graduation:**\nThe change is small, so we propose graduating "
            "directly to GA.\n")
    assert run_rule("VEP501", vep(graduation=grad)) == []


def test_ga_only_section_without_reason_is_reported():
    (f,) = run_rule("VEP501", vep(graduation="### GA\n\nPlanned for v1.6.\n"))
    assert "goes straight to GA without saying why" in f.message


def test_rejected_alternative_is_not_an_opt_out():
    doc = vep(alternatives="### No Feature Gate\n\nShip it without a feature gate because it is optional.")
    (f,) = run_rule("VEP501", doc)
    assert f.message.startswith("No feature gate is named")


def test_ga_stage_statements_are_not_opt_outs():
    doc = vep(graduation=STAGES.replace("- z", "- API available without a FeatureGate because it graduated"))
    assert run_rule("VEP501", doc)[0].message.startswith("No feature gate is named")


def test_meta_vep_and_template_are_exempt():
    assert run_rule("VEP501", vep(path="veps/meta-VEPs/229-beta/vep.md")) == []
    assert run_rule("VEP501", vep(path="veps/NNNN-vep-template/vep.md")) == []


def test_process_vep_by_its_own_words_gets_an_info_saying_so():
    doc = vep(design="This VEP is a process change: release branches reach end of life.")
    (f,) = run_rule("VEP501", doc)
    assert f.severity.value == "info" and f.message.startswith('Read as a process VEP ("This VEP is a process change")')
    assert doc.lines[f.line - 1].startswith("This VEP is a process change")


def test_sentence_at():
    text = "intro line\n### GA\nThis is simple. And more\ncontinued here.\n- item one simple\n- item two"
    assert sentence_at(text, text.index("simple"), text.index("simple") + 6) == "This is simple."
    assert sentence_at(text, text.index("continued"), text.index("continued") + 3) == "And more continued here."
    assert sentence_at(text, text.index("one"), text.index("one") + 3) == "- item one simple"


@pytest.mark.parametrize("rel", [
    "veps/sig-network/307-vhostuser-binding-plugin/vep.md",  # front matter feature-gate
    "veps/sig-compute/250-vmi-serviceaccountname/vep.md",  # "does not require a feature gate because …"
    "veps/sig-compute/14-persist-vmi-firmware-uuid/vep.md",  # "because this is a transparent bug fix with no feature gate"
    "veps/sig-compute/109-vgpu-live-migration/vep.md",  # under the existing TargetSideMigrationHooks gate
])
def test_real_veps_pass(corpus, rel):
    path = need(corpus / rel)
    assert run_rule("VEP501", parse(path.read_bytes(), str(path), rel), make_ctx(corpus)) == []


def test_real_vep_without_gate(corpus):
    # VEP 176 (Redfish) keeps the template's "Feature gate guards all code changes" but names none
    rel = "veps/sig-compute/176-redfish-support/vep.md"
    path = need(corpus / rel)
    (f,) = run_rule("VEP501", parse(path.read_bytes(), str(path), rel), make_ctx(corpus))
    assert f.message.startswith("No feature gate is named")


def test_real_vep_opt_out_without_reason(corpus):
    rel = "veps/sig-compute/69-vmpool/vep.md"
    path = need(corpus / rel)
    (f,) = run_rule("VEP501", parse(path.read_bytes(), str(path), rel), make_ctx(corpus))
    assert f.line == 7 and "gives no reason" in f.message


def test_real_migrated_vep_with_gate_removed(corpus):
    rel = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
    text = need(corpus / rel).read_text().replace("feature-gate: NetworkBindingPlugins\n", "")
    (f,) = run_rule("VEP501", parse(text.encode(), "vep.md", rel), make_ctx(corpus))
    assert f.severity.value == "error" and "front matter names no `feature-gate`" in f.message


def test_facts_on_odd_input():
    doc = make_doc("---\nfeature-gate: {a: 1}\n---\n# VEP #1: x\n\n```\nunclosed\n")
    facts = gate_facts(doc, load_template(None))
    assert facts.front_matter is None and facts.body == [] and facts.opt_outs == []


def test_unreadable_front_matter_is_not_reported_twice():
    from tests.conftest import make_doc, run_rule

    doc = make_doc("---\ntitle: x\nstatus: [\n---\n# VEP #123: x\n\n## Design\n\nText.\n")
    assert doc.front_matter.error is not None
    assert run_rule("VEP501", doc) == []
