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


def lf(quote, category="api", severity="warning", confidence=0.8, section=None, sig=None):
    return LlmFinding(quote=quote, section=section, category=category, severity=severity, concern="Concern.",
                      suggestion="Do it.", confidence=confidence, sig=sig)


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
    findings, stats = verify(DOC, raw, [], BY_KEY, max_per_reviewer=3)
    assert stats.dropped_capped == 3
    assert sorted(f.category for f in findings) == ["alternatives", "scalability-performance", "template"]


def test_duplicates_of_deterministic_findings_and_between_reviewers_are_dropped():
    line = DOC.line_of("One watch per node.")
    det = [Finding("VEP402", "empty-section", Severity.WARNING, DOC.path, line, "thin", section="Scalability")]
    raw = [("design_gaps", lf("One watch per node.", "template")),          # same concern as VEP402
           ("design_gaps", lf("and retries on conflict.", "testing", confidence=0.4)),
           ("cross_sig", lf("It keeps the “current” value", "testing", confidence=0.9)),  # next line, same category
           ("cross_sig", lf("One watch per node.", "scalability-performance"))]  # other concern: kept
    findings, stats = verify(DOC, raw, det, BY_KEY)
    assert stats.dropped_duplicate == 2
    assert sorted((f.rule, f.category) for f in findings) == [("LLM201", "scalability-performance"), ("LLM201", "testing")]


def test_confidence_floor():
    findings, stats = verify(DOC, [("design_gaps", lf("One watch per node.", confidence=0.2))], [], BY_KEY,
                             min_confidence=0.5)
    assert findings == [] and stats.dropped_low_confidence == 1
