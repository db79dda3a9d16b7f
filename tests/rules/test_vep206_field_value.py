import pytest

from agent.document import parse
from agent.engine import check_document
from agent.rules import all_rules
from tests.conftest import make_ctx, make_doc, need, run_rule

VEP_PATH = "veps/sig-compute/123-example/vep.md"
VEP307 = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
GOOD = """\
---
title: Example feature
vep-number: 123
creation-date: "2025-01-31"
status: provisional
authors:
  - "@jdoe"
  - "@a-b-c9"
owning-sig: sig-compute
participating-sigs: [sig-storage]
reviewers: [TBD, "@rev"]
approvers:
  - TBD
feature-gate: NetworkBindingPlugins
stage: beta
milestone:
  alpha: "v1.8"
  beta: "v1.10"
  ga: TBD
replaces: "#100"
superseded-by: ""
---
# VEP #123: Example feature
"""


def messages(field, value, text=GOOD):
    """VEP206 (line, message, fix) after replacing ``field``'s line with ``field: value``."""
    lines, replacing = [], False
    for line in text.split("\n"):
        if line.startswith(f"{field}:"):
            lines.append(f"{field}: {value}")
            replacing = True
        elif not (replacing and line.startswith(" ")):
            lines.append(line)
            replacing = False
    return [(f.line, f.message, f.fix) for f in run_rule("VEP206", make_doc("\n".join(lines)))]


def test_good_block_passes():
    assert run_rule("VEP206", make_doc(GOOD)) == []


@pytest.mark.parametrize("field, value, expected", [
    ("title", "[a, b]", "`title` is a list, but it holds a single value."),
    ("title", "{a: b}", "`title` is a mapping, not a single value."),
    ("vep-number", "NNNN", "`vep-number: NNNN` is the template's placeholder, not a number."),
    ("vep-number", "VEP-123", "`vep-number: VEP-123` is not a number."),
    ("vep-number", "0", "`vep-number: 0` is not a positive number."),
    ("creation-date", "2024-02-30", "`creation-date: 2024-02-30` is not a real calendar date."),
    ("creation-date", '"22/05/2024"', "`creation-date: 22/05/2024` is not a date written YYYY-MM-DD."),
    ("creation-date", '"YYYY-MM-DD"', "`creation-date` is the template's placeholder `YYYY-MM-DD`."),
    ("status", "draft", "`status: draft` is not one of the seven VEP states (did you mean `provisional`?)."),
    ("status", "implementabel", "`status: implementabel` is not one of the seven VEP states (did you mean `implementable`?)."),
    ("status", "Provisional", "`status: Provisional` is not written in lower case."),
    ("status", "[provisional]", "`status` is a list, but a VEP is in exactly one state."),
    ("authors", '"@jdoe"', "`authors` is a single value, not a list."),
    ("authors", "[jdoe]", "`jdoe` in `authors` is not written as a GitHub handle."),
    ("authors", '["Jane Doe <jdoe@example.com>"]', "`Jane Doe <jdoe@example.com>` in `authors` is not a GitHub handle."),
    ("authors", "[TBD]", "`authors` lists `TBD`, but the authors of a VEP are known."),
    ("authors", '["@-bad"]', "`@-bad` in `authors` is not a GitHub handle."),
    ("authors", "[[a]]", "Entry 1 of `authors` is a list, not a GitHub handle."),
    ("reviewers", "[N/A]", "`N/A` in `reviewers` is not a GitHub handle (the schema's placeholder is `TBD`)."),
    ("reviewers", '["@x", "@X"]', "`@X` is listed twice in `reviewers`."),
    ("approvers", "{a: b}", "`approvers` is a mapping, not a list of GitHub handles."),
    ("owning-sig", "[sig-compute, sig-storage]", "`owning-sig` is a list, but a VEP has one owning SIG."),
    ("owning-sig", "sig-compute sig-storage", "`owning-sig: sig-compute sig-storage` names more than one SIG."),
    ("participating-sigs", "sig-storage", "`participating-sigs` is a single value, not a list."),
    ("participating-sigs", "[sig-storage, sig-storage]", "`sig-storage` is listed twice in `participating-sigs`."),
    ("feature-gate", "network binding plugins", "`feature-gate: network binding plugins` is not a single identifier."),
    ("feature-gate", "networkBindingPlugins", "`feature-gate: networkBindingPlugins` is not a CamelCase identifier as KubeVirt feature gates are."),
    ("feature-gate", "FeatureName", "`feature-gate: FeatureName` is the template's placeholder."),
    ("feature-gate", "[A, B]", "`feature-gate` is a list, but the schema names one gate."),
    ("feature-gate", "none", "`feature-gate: none` is not a feature gate name."),
    ("stage", "GA", "`stage: GA` is not written in lower case."),
    ("stage", "stable", "`stage: stable` is not a stage (did you mean `ga`?)."),
    ("replaces", "the old one", "`replaces: the old one` is not a VEP number."),
    ("replaces", "[1, 2]", "`replaces` is a list, but it names one VEP."),
    ("replaces", "123", "`replaces: 123` names this VEP itself."),
    ("superseded-by", "https://github.com/kubevirt/enhancements/issues/400", "`superseded-by: https://github.com/kubevirt/enhancements/issues/400` is not a VEP number."),
])
def test_one_message_per_problem(field, value, expected):
    found = messages(field, value)
    assert [m for _, m, _ in found] == [expected]
    assert all(fix and fix.endswith(".") for _, _, fix in found)


def test_fixes_are_concrete():
    assert messages("authors", "[jdoe]")[0][2] == 'Prefix it with @ and quote it: `- "@jdoe"`.'
    assert messages("authors", '["Jane Doe (@jdoe)"]')[0][2] == 'Write just the handle: `- "@jdoe"`.'
    assert messages("feature-gate", "network-binding-plugins")[0][2] == (
        "Write the gate's name as KubeVirt spells it: `feature-gate: NetworkBindingPlugins`.")
    assert messages("superseded-by", "https://github.com/kubevirt/enhancements/issues/400")[0][2] == (
        'Write just the number: `superseded-by: "400"`.')
    assert messages("vep-number", "VEP-123")[0][2] == "Write just the number: `vep-number: 123`."


@pytest.mark.parametrize("value", ['"307"', '"#307"', "307"])
def test_vep_number_spellings(value):
    assert messages("vep-number", value, GOOD.replace("# VEP #123", "# VEP #307")) == []


def test_milestone_problems_are_at_their_keys():
    text = GOOD.replace('  alpha: "v1.8"', "  alpha2: v1.8\n  alpha: 1.9").replace('  beta: "v1.10"', "  beta: v1.9.1")
    text = text.replace("  ga: TBD", "  ga: v1.x")
    found = run_rule("VEP206", make_doc(text))
    assert [(f.line, f.message) for f in found] == [
        (17, "`milestone.alpha2` is not a stage (did you mean `alpha`?)."),
        (18, "`milestone.alpha: 1.9` has no leading `v`."),
        (19, "`milestone.beta: v1.9.1` names a patch release, but milestones are minor releases."),
        (20, "`milestone.ga: v1.x` is the template's placeholder, not a release."),
    ]


def test_milestones_in_release_order():
    text = GOOD.replace('beta: "v1.10"', 'beta: "v1.7"')
    (f,) = run_rule("VEP206", make_doc(text))
    assert f.line == 18 and f.message == "`milestone.beta` (v1.7) comes before `milestone.alpha` (v1.8)."


def test_milestone_of_wrong_type():
    assert messages("milestone", '"v1.9"')[0][1:] == (
        "`milestone` is a single value, not a mapping of stage to release.",
        'Write it as a mapping: `milestone: {alpha: "v1.9"}`.')
    text = GOOD.replace('  alpha: "v1.8"\n  beta: "v1.10"\n  ga: TBD', "  alpha: [v1.8]\n  beta:\n  ga: ''")
    assert [m for _, m, _ in messages("x", "y", text)] == ["`milestone.alpha` is a list, not a release."]


def test_list_entry_lines():
    text = GOOD.replace('  - "@a-b-c9"', "  - a-b-c9")
    assert messages("x", "y", text)[0][0] == 8


def test_empty_optional_fields_and_template_pass():
    text = GOOD.replace("participating-sigs: [sig-storage]", "participating-sigs:").replace("stage: beta", 'stage: ""')
    assert messages("replaces", "", text) == []
    assert run_rule("VEP206", make_doc(GOOD.replace("123", "NNNN"), "veps/NNNN-vep-template/vep.md")) == []


def test_real_vep_307_passes_with_tbd_milestone(corpus):
    path = need(corpus / VEP307)
    doc = parse(path.read_bytes(), str(path), VEP307)
    assert doc.front_matter.get("milestone") == {"alpha": "TBD"}
    assert run_rule("VEP206", doc, make_ctx(corpus)) == []


def test_real_vep_307_edited(corpus):
    path = need(corpus / VEP307)
    text = path.read_text().replace("status: deferred", "status: Deferred").replace('"@ormergi"', "ormergi")
    text = text.replace('alpha: "TBD"', 'alpha: "1.9"')
    found = run_rule("VEP206", parse(text.encode(), str(path), VEP307), make_ctx(corpus))
    assert [(f.line, f.fix) for f in found] == [(5, "Write `status: deferred`."),
                                                (15, 'Prefix it with @ and quote it: `- "@ormergi"`.'),
                                                (22, 'Write `alpha: "v1.9"`.')]


# --- the whole front matter family on real documents --------------------------------

FRONT_MATTER_RULES = [r for r in all_rules() if r.id.startswith("VEP2")]


def test_vep_307_yields_no_finding_from_any_front_matter_rule(corpus):
    path = need(corpus / VEP307)
    doc = parse(path.read_bytes(), str(path), VEP307)
    assert len(FRONT_MATTER_RULES) >= 11
    assert check_document(doc, make_ctx(corpus), FRONT_MATTER_RULES) == []
    # also as a new VEP, and with itself as the base
    assert check_document(doc, make_ctx(corpus, has_base=True, base=None), FRONT_MATTER_RULES) == []
    assert check_document(doc, make_ctx(corpus, has_base=True, base=doc), FRONT_MATTER_RULES) == []


def test_no_front_matter_rule_breaks_or_errs_on_the_corpus(corpus):
    ctx = make_ctx(corpus)
    seen_front_matter = 0
    for path in sorted((corpus / "veps").rglob("*.md")):
        repo_path = path.relative_to(corpus).as_posix()
        doc = parse(path.read_bytes(), str(path), repo_path)
        seen_front_matter += doc.front_matter is not None
        found = check_document(doc, ctx, FRONT_MATTER_RULES)
        assert [f for f in found if f.rule == "VEP000"] == [], repo_path
        # merged community VEPs: only the migration warning, never an error
        assert [f.message for f in found if f.severity.value == "error"] == [], repo_path
    assert seen_front_matter >= 1


def test_no_front_matter_rule_breaks_on_any_historic_version(history):
    ctx = make_ctx(None)
    paths = sorted((history / "veps").rglob("*.md"))
    assert len(paths) > 200  # every historic version, not an empty folder
    for path in paths:
        doc = parse(path.read_bytes(), str(path), path.relative_to(history).as_posix())
        found = check_document(doc, ctx, FRONT_MATTER_RULES)
        assert [f for f in found if f.rule == "VEP000"] == [], path


def test_no_front_matter_rule_breaks_on_odd_values():
    values = ["", "null", "[]", "{}", "[a, b]", "{a: {b: [c]}}", "[[1]]", "[{a: b}]", "[null]", "1.10", "no",
              "2024-05-22", "'@x'", "|\n  two\n  lines", "{1: 2}", "[1, 2]", "0x1F", "!!binary aGk="]
    keys = ["title", "vep-number", "creation-date", "status", "authors", "owning-sig", "participating-sigs",
            "reviewers", "approvers", "feature-gate", "stage", "milestone", "replaces", "superseded-by", "other"]
    for status in ("implementable", "replaced"):
        for key in keys:
            for value in values:
                doc = make_doc(f"---\nstatus: {status}\n{key}: {value}\n---\n# VEP #123: x\n")
                found = check_document(doc, make_ctx(), FRONT_MATTER_RULES)
                assert [f.message for f in found if f.rule == "VEP000"] == [], (key, value)


def test_creation_date_after_today_is_a_warning():
    text = GOOD.replace('creation-date: "2025-01-31"', 'creation-date: "2052-01-31"')
    (f,) = run_rule("VEP206", make_doc(text), make_ctx(today=__import__("datetime").date(2026, 11, 22)))
    assert (f.line, f.severity.value, f.message) == (
        4, "warning", "`creation-date: 2052-01-31` is after today (2026-11-22).")
    assert run_rule("VEP206", make_doc(GOOD.replace("2025-01-31", "2026-11-23"))) == []  # tomorrow: a time zone ahead


# --- parity with kubevirt/enhancements' validate_vep.py: bare logins ------------------


@pytest.mark.parametrize("field", ["reviewers", "approvers"])
def test_bare_login_in_reviewers_or_approvers_is_a_warning(field):
    text = GOOD.replace('reviewers: [TBD, "@rev"]', "reviewers: [TBD]").replace("approvers:\n  - TBD", "approvers: [TBD]")
    found = run_rule("VEP206", make_doc(text.replace(f"{field}: [TBD]", f'{field}: [bob, "@rev"]'), VEP_PATH))
    bob = [f for f in found]
    assert [(f.severity.value, f.message) for f in bob] == [
        ("warning", f"`bob` in `{field}` is not written as a GitHub handle.")]
    assert bob[0].fix == 'Prefix it with @ and quote it: `- "@bob"`.'


def test_bare_login_in_authors_stays_an_error():
    found = run_rule("VEP206", make_doc(GOOD.replace('  - "@a-b-c9"', "  - a-b-c9"), VEP_PATH))
    assert [(f.severity.value, f.line) for f in found] == [("error", 8)]


def test_a_name_that_is_no_login_in_reviewers_stays_an_error():
    found = run_rule("VEP206", make_doc(GOOD.replace('reviewers: [TBD, "@rev"]', 'reviewers: ["Jane Doe"]'), VEP_PATH))
    assert [(f.severity.value, f.message) for f in found] == [("error", "`Jane Doe` in `reviewers` is not a GitHub handle.")]
