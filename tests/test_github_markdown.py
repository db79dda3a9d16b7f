"""agent/output/markdown.py: the one markdown renderer (review --format markdown, the sticky PR
comment, the job summary): grouping, links, inert model text, size limit."""

from __future__ import annotations

import io
import re

from agent.engine import Report
from agent.findings import FileReport, Finding, Severity
from agent.output import render
from agent.output.markdown import ZWJ, code_block, code_span, inert, render_markdown

LINK_BASE = "https://github.com/kubevirt/enhancements/blob/" + "c" * 40
PATH = "veps/sig-compute/123-example/vep.md"


def finding(rule="VEP201", severity=Severity.ERROR, line=3, message="The VEP has no front matter.", path=PATH,
            **kw) -> Finding:
    return Finding(rule=rule, name=kw.pop("name", "front-matter-missing"), severity=severity, path=path, line=line,
                   message=message, fix=kw.pop("fix", "Add the front matter block."), **kw)


def report_of(*findings: Finding, paths=(PATH,), **kw) -> Report:
    files = [FileReport(p, sorted([f for f in findings if f.path == p], key=Finding.sort_key)) for p in paths]
    return Report(files=files, **kw)


def test_groups_by_file_and_severity_with_line_links():
    other = "veps/sig-network/9-net/vep.md"
    rep = report_of(finding(line=10), finding("VEP401", Severity.WARNING, 20, "Missing section.", name="required-section"),
                    finding("VEP105", Severity.INFO, None, "Title note.", path=other, name="title-format"),
                    paths=(PATH, other))
    md = render_markdown(rep, link_base=LINK_BASE)
    assert "**1 error, 1 warning, 1 info** in 2 files." in md
    assert f"#### `{PATH}`: 1 error, 1 warning" in md
    assert f"#### `{other}`: 1 info" in md
    assert md.index("**Errors**") < md.index("**Warnings**") < md.index("**Notes**")
    assert f"[L10]({LINK_BASE}/{PATH}?plain=1#L10)" in md
    assert f"[file]({LINK_BASE}/{other})" in md  # a finding without a line links the file
    assert "Fix: Add the front matter block." in md


def test_without_link_base_lines_are_plain_and_marker_first():
    md = render_markdown(report_of(finding(line=7)), marker="<!-- vep-review:sticky -->")
    assert md.startswith("<!-- vep-review:sticky -->\n")
    assert "- L7 **VEP201**" in md
    assert "](" not in md


def test_no_findings_and_clean_files():
    md = render_markdown(Report(files=[FileReport(PATH)]))
    assert "**No problems found** in 1 file." in md
    assert f"No findings in `{PATH}`." in md


def test_format_markdown_through_the_output_switch():
    out = io.StringIO()
    render(report_of(finding()), "markdown", out)
    assert "**VEP201**" in out.getvalue()


def test_multi_line_fix_is_shown_as_code():
    md = render_markdown(report_of(finding(fix="Add this block first:\n---\ntitle: x\nauthors:\n  - \"@someone\"\n---")))
    assert "Fix: Add this block first:" in md
    assert "  ```text\n  ---\n  title: x" in md  # inside a code block a mention notifies nobody


def test_usage_footer_and_llm_status():
    rep = report_of(finding(), llm_status="ran: 3 calls",
                    usage={"model": "claude-x", "calls": 3, "tokens": 12345, "estimated_cost_usd": 0.0421,
                           "wall_seconds": 12.34})
    md = render_markdown(rep)
    assert "**LLM review:** ran: 3 calls" in md
    assert "<sub>model `claude-x` · 3 calls · 12,345 tokens · ~$0.0421 · 12.3 s</sub>" in md


def test_usage_with_token_breakdown():
    md = render_markdown(report_of(usage={"model": "m", "calls": 1, "tokens": {"input": 100, "output": 20}}))
    assert "120 tokens (input 100, output 20)" in md


# ----------------------------------------------------------------------------- inert text

def test_inert_escapes_html_and_mentions():
    text = inert('Ask @kubevirt/sig-compute and @alice <img src=x onerror=alert(1)> <!-- vep-review:sticky -->')
    assert "<" not in text and ">" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;!-- vep-review:sticky --&gt;" in text  # a model cannot plant the sticky marker
    assert f"@{ZWJ}kubevirt/sig-compute" in text and f"@{ZWJ}alice" in text
    assert not re.search(r"@[A-Za-z0-9]", text)


def test_inert_breaks_links_images_urls_and_references():
    text = inert("see [docs](https://evil.example/x) and ![pic](http://evil.example/p.png) www.evil.example "
                 "and kubevirt/kubevirt#123, #45, GH-6, mail bob@example.com")
    assert "](" not in text.replace("\\](", "")  # every bracket is escaped
    assert "\\[docs\\]" in text and "!\\[pic\\]" in text
    assert "`https://evil.example/x)`" in text and "`www.evil.example`" in text
    assert f"kubevirt/kubevirt#{ZWJ}123" in text and f"#{ZWJ}45" in text and f"GH-{ZWJ}6" in text
    assert f"bob@{ZWJ}example.com" in text


def test_inert_keeps_code_spans_and_escapes_lone_backticks():
    assert inert("Add `feature-gate: <Name>` here") == "Add `feature-gate: <Name>` here"
    assert inert("a lone ` tick <b>") == "a lone \\` tick &lt;b&gt;"
    # an escaped backslash cannot escape our bracket escapes
    assert inert("\\[x](y)") == "\\\\\\[x\\](y)"


def test_inert_collapses_lines_and_cuts():
    assert inert("a\n\n# heading\n- item") == "a # heading - item"
    cut = inert("x" * 5000, limit=100)
    assert len(cut) == 100 and cut.endswith("…")
    assert inert(None) == "" and inert(42) == "42"
    assert inert("right\u202eto-left") == "rightto-left"


def test_code_span_and_block_cannot_be_closed_from_inside():
    assert code_span("a`b") == "`` a`b ``"
    block = code_block("```\n<img src=x>\n```")
    assert block.startswith("````text\n") and block.endswith("\n````")


def test_llm_finding_is_inert_in_the_rendering():
    llm = Finding(rule="LLM-design", name="design-gap", severity=Severity.WARNING, path=PATH, line=12,
                  message="Ping @alice: <script>alert(1)</script> see [here](https://x.example)",
                  fix="Ask @bob <b>now</b>", origin="llm", category="api", confidence=0.8,
                  quote="line with @carol and <img src=x>\n```\nclose fence")
    md = render_markdown(report_of(llm), link_base=LINK_BASE)
    outside_code = re.sub(r"(?s)````text.*?````", "", md)
    assert "<script>" not in md and "<b>" not in outside_code
    assert not re.search(r"@[a-z]", outside_code)
    assert "](https://x.example)" not in md
    assert "_(LLM: api, confidence 0.80)_" in md
    assert "  ````text\n  line with @carol and <img src=x>" in md  # quote in an unclosable code block


# ----------------------------------------------------------------------------- size limit

def test_truncates_under_the_limit_keeping_errors_first():
    many = [finding("VEP401", Severity.INFO, i, f"note {i} " + "x" * 300, name="required-section") for i in range(1, 400)]
    errors = [finding("VEP104", Severity.ERROR, 1000 + i, f"error {i}", name="vep-number-mismatch") for i in range(3)]
    rep = report_of(*many, *errors)
    md = render_markdown(rep, link_base=LINK_BASE, marker="<!-- m -->", max_chars=20000,
                         preamble="### header", epilogue="<sub>footer</sub>")
    assert len(md) <= 20000
    assert md.startswith("<!-- m -->\n### header") and md.rstrip().endswith("<sub>footer</sub>")
    for i in range(3):
        assert f"error {i}" in md
    shown = len(re.findall(r"note \d+ ", md))
    assert 0 < shown < 399
    assert f"> **Note:** {399 - shown} more findings not shown" in md


def test_default_limit_stays_under_githubs_comment_limit():
    many = [finding("VEP401", Severity.WARNING, i, "m" * 1400, fix="f" * 1400, name="required-section")
            for i in range(1, 200)]
    md = render_markdown(report_of(*many), link_base=LINK_BASE)
    assert len(md) <= 60000 < 65536
    assert "more findings not shown" in md


def test_no_truncation_note_when_everything_fits():
    md = render_markdown(report_of(*[finding(line=i) for i in range(1, 20)]), max_chars=60000)
    assert "not shown" not in md


def test_usage_of_the_review_graph():
    usage = {"model": "claude-sonnet-5-5", "calls": 3, "attempts": 4, "input_tokens": 9000, "output_tokens": 1200,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 3000, "estimated_cost_usd": 0.05,
             "wall_seconds": 21.04, "request_bytes": 123456}
    md = render_markdown(report_of(usage=usage))
    assert ("<sub>model `claude-sonnet-5-5` · 3 calls · 13,200 tokens (in 9,000, out 1,200, cache read 3,000) "
            "· ~$0.0500 · 21.0 s</sub>") in md
    assert "request_bytes" not in md and "123456" not in md


def test_skipped_supplementary_files_are_listed():
    md = render_markdown(Report(files=[FileReport(PATH)], skipped=["veps/x/1-y/notes.md: supplementary document"]))
    assert "Not checked: veps/x/1-y/notes.md: supplementary document." in md
