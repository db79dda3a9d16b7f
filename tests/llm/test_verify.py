"""Quote verification, line computation, caps and de-duplication (agent/llm/verify.py)."""

from agent.findings import Finding, Severity
from agent.llm.reviewers import BY_KEY
from agent.llm.schema import LlmFinding
from agent.llm.verify import QuoteIndex, verify
from tests.conftest import make_doc

DOC = make_doc("""
    # VEP #123: Example

    ## Design

    The controller uses `virt-handler` to apply the **new** setting on each node.
    It keeps the “current” value in the VMI status
    and retries on conflict.

    <!-- Hidden note: the cache is encrypted. -->

    ## Scalability

    One watch per node.

    ## Alternatives

    The controller uses a webhook instead.
    """)


def lf(quote, category="api", severity="warning", confidence=0.8, section=None, sig=None, concern=None,
       suggestion="Bound the controller's retries.", **more):
    concern = concern or "The controller's retries on conflict are not bounded."
    return LlmFinding(quote=quote, section=section, category=category, severity=severity, concern=concern,
                      suggestion=suggestion, confidence=confidence, sig=sig, **more)


def test_exact_quote_gets_our_line():
    loc = QuoteIndex(DOC).locate("It keeps the “current” value in the VMI status")
    assert loc is not None and loc.exact
    assert DOC.lines[loc.line - 1].startswith("It keeps the")


def test_whitespace_line_breaks_and_typographic_quotes_are_normalised():
    loc = QuoteIndex(DOC).locate('It keeps the "current" value in the VMI status\n   and retries on conflict.')
    assert loc is not None and loc.exact
    assert (loc.line, loc.end_line) == (DOC.line_of("It keeps the"), DOC.line_of("and retries on conflict"))
    assert loc.text == "It keeps the “current” value in the VMI status and retries on conflict."


def test_dropped_markup_and_case_match_leniently():
    loc = QuoteIndex(DOC).locate("the controller uses virt-handler to apply the new setting")
    assert loc is not None and not loc.exact
    assert loc.line == DOC.line_of("The controller uses `virt-handler`")


def test_unknown_short_and_hidden_quotes_are_not_found():
    index = QuoteIndex(DOC)
    assert index.locate("The controller deletes every VM on upgrade.") is None
    assert index.locate("watch") is None                      # too short to point at one place
    assert index.locate("the cache is encrypted") is None      # only inside an HTML comment
    loc = index.locate("Scalability")                          # a whole heading may be short
    assert loc is not None and loc.line == DOC.find("Scalability").line


def test_section_hint_picks_the_occurrence():
    index = QuoteIndex(DOC)
    assert index.locate("The controller uses").line == DOC.line_of("The controller uses `virt")
    assert index.locate("The controller uses", section="Alternatives").line == DOC.line_of("The controller uses a webhook")


def test_verify_drops_counts_and_converts():
    raw = [("design_gaps", lf("One watch per node.", "scalability-performance", section="Design")),
           ("design_gaps", lf("A sentence the model made up entirely.")),
           ("cross_sig", lf("and retries on conflict.", "cross-sig", "info", 0.55, sig="sig-storage"))]
    findings, stats = verify(DOC, raw, [], BY_KEY)
    assert stats.dropped_unverified == 1
    assert [f.rule for f in findings] == ["LLM201", "LLM101"]
    cross, design = findings
    assert design.line == DOC.line_of("One watch per node.") and design.section == "Scalability"  # not the model's "Design"
    assert design.origin == "llm" and design.quote == "One watch per node." and design.severity is Severity.WARNING
    assert cross.extra["sig"] == "sig-storage" and cross.confidence == 0.55 and cross.category == "cross-sig"
    assert cross.to_json()["quote"] == "and retries on conflict."


def test_cap_per_reviewer_keeps_warnings_and_confidence_first():
    quotes = ["The controller uses `virt-handler`", "It keeps the “current” value", "and retries on conflict.",
              "One watch per node.", "The controller uses a webhook instead.", "Scalability"]
    categories = ["api", "security", "testing", "scalability-performance", "alternatives", "template"]
    raw = [("design_gaps", lf(q, c, "info" if i == 0 else "warning", 0.1 * i)) for i, (q, c) in enumerate(zip(quotes, categories))]
    findings, stats = verify(DOC, raw, [], BY_KEY, max_per_reviewer=3, min_confidence=0.0)
    assert stats.dropped_capped == 3
    assert sorted(f.category for f in findings) == ["alternatives", "scalability-performance", "template"]


def test_duplicates_of_deterministic_findings_and_between_reviewers_are_dropped():
    line = DOC.line_of("One watch per node.")
    det = [Finding("VEP402", "empty-section", Severity.WARNING, DOC.path, line, "thin", section="Scalability")]
    raw = [("design_gaps", lf("One watch per node.", "template")),          # same concern as VEP402
           ("design_gaps", lf("and retries on conflict.", "api", confidence=0.4)),
           ("cross_sig", lf("It keeps the “current” value", "api", confidence=0.9)),  # next line, same category
           ("cross_sig", lf("One watch per node.", "scalability-performance"))]  # other concern: kept (re-labelled)
    findings, stats = verify(DOC, raw, det, BY_KEY, min_confidence=0.0)
    assert stats.dropped_duplicate == 2
    assert sorted((f.rule, f.category) for f in findings) == [("LLM201", "api"), ("LLM201", "other")]


def test_confidence_floor():
    findings, stats = verify(DOC, [("design_gaps", lf("One watch per node.", confidence=0.2))], [], BY_KEY,
                             min_confidence=0.5)
    assert findings == [] and stats.dropped_low_confidence == 1


def test_one_budget_across_reviewers_ranked_by_severity_then_confidence():
    quotes = ["The controller uses `virt-handler`", "It keeps the “current” value", "and retries on conflict.",
              "One watch per node.", "The controller uses a webhook instead."]
    raw = [(key, lf(q, c, sev, conf)) for key, q, c, sev, conf in [
        ("design_gaps", quotes[0], "api", "info", 0.95),
        ("design_gaps", quotes[1], "security", "warning", 0.6),
        ("cross_sig", quotes[2], "cross-sig", "warning", 0.9),
        ("design_gaps", quotes[3], "scalability-performance", "warning", 0.7),
        ("feature_gate", quotes[4], "feature-gate", "info", 0.8)]]
    findings, stats = verify(DOC, raw, [], BY_KEY, max_findings=3)
    assert sorted((f.severity.value, f.confidence) for f in findings) == [("warning", 0.6), ("warning", 0.7), ("warning", 0.9)]
    assert (stats.dropped_capped, stats.candidates, stats.kept) == (2, 5, 3)
    none, stats = verify(DOC, raw, [], BY_KEY, max_findings=0)
    assert none == [] and stats.dropped_capped == 5


def test_default_confidence_floor_is_not_zero():
    findings, stats = verify(DOC, [("design_gaps", lf("One watch per node.", confidence=0.3))], [], BY_KEY)
    assert findings == [] and stats.dropped_low_confidence == 1


def test_self_check_drops_answered_generic_and_unsupported_findings():
    raw = [("design_gaps", lf("One watch per node.", "scalability-performance", answered_in="Scalability")),
           ("design_gaps", lf("and retries on conflict.", "testing", fits_any_vep=True)),
           ("design_gaps", lf("It keeps the “current” value", "api", quote_supports=False)),
           ("design_gaps", lf("The controller uses a webhook instead.", "alternatives"))]
    findings, stats = verify(DOC, raw, [], BY_KEY)
    assert [f.category for f in findings] == ["alternatives"]
    assert (stats.dropped_answered, stats.dropped_generic, stats.dropped_unsupported) == (1, 1, 1)


def test_boilerplate_that_fits_any_vep_is_dropped_deterministically():
    generic = lf("and retries on conflict.", "testing", concern="The testing strategy should be described in more detail.",
                 suggestion="Describe the unit and functional tests.")
    specific = lf("One watch per node.", "scalability-performance", concern="One watch per node on the webhook objects is unbounded.")
    findings, stats = verify(DOC, [("design_gaps", generic), ("design_gaps", specific)], [], BY_KEY)
    assert [f.category for f in findings] == ["scalability-performance"] and stats.dropped_generic == 1


def test_a_category_owned_by_another_reviewer_is_dropped_or_relabelled():
    raw = [("design_gaps", lf("and retries on conflict.", "cross-sig", sig="sig-storage")),   # cross_sig ran: dropped
           ("cross_sig", lf("One watch per node.", "testing")),                               # not its task: other
           ("design_gaps", lf("The controller uses a webhook instead.", "feature-gate"))]     # feature_gate did not run
    findings, stats = verify(DOC, raw, [], BY_KEY, ran=["design_gaps", "cross_sig"])
    assert stats.dropped_off_task == 1
    assert sorted((f.rule, f.category) for f in findings) == [("LLM101", "feature-gate"), ("LLM201", "other")]


def test_change_filter_drops_quotes_of_unchanged_text_unless_a_contradiction():
    from agent.llm.change import compute_change

    base = make_doc(DOC.text.replace("One watch per node.", "No watch at all.").replace(
        "It keeps the “current” value in the VMI status", "It keeps the value in a ConfigMap"))
    change = compute_change(base, DOC)
    assert change.lines == {DOC.line_of("One watch per node."), DOC.line_of("It keeps the “current”")}
    assert change.sections == ("Design", "Scalability") and "+One watch per node." in change.diff
    raw = [("design_gaps", lf("One watch per node.", "scalability-performance")),                   # changed: kept
           ("design_gaps", lf("The controller uses a webhook instead.", "alternatives")),           # unchanged: dropped
           ("design_gaps", lf("and retries on conflict.", "api",                                     # contradiction: kept
                              conflicts_with="It keeps the “current” value in the VMI status")),
           ("design_gaps", lf("The controller uses `virt-handler`", "testing",                       # not changed text
                              conflicts_with="The controller uses a webhook instead."))]
    findings, stats = verify(DOC, raw, [], BY_KEY, change=change)
    assert sorted(f.category for f in findings) == ["api", "scalability-performance"]
    assert stats.dropped_unchanged == 2


def test_one_finding_per_quoted_passage_whatever_the_category():
    """Two concerns about the very same lines are one comment: the more confident stays."""
    raw = [("design_gaps", lf("The controller uses `virt-handler` to apply", "api", confidence=0.6)),
           ("design_gaps", lf("The controller uses `virt-handler` to apply", "scalability-performance",
                              confidence=0.9, concern="Each node's virt-handler applies the setting alone.")),
           ("design_gaps", lf("and retries on conflict.", "api", confidence=0.7))]  # other lines: kept
    findings, stats = verify(DOC, raw, [], BY_KEY, min_confidence=0.0)
    assert stats.dropped_duplicate == 1
    assert sorted((f.line, f.category) for f in findings) == [
        (DOC.line_of("The controller uses `virt-handler`"), "scalability-performance"),
        (DOC.line_of("and retries on conflict."), "api")]
