"""End to end against the local fake Anthropic-compatible server (agent/llm/fake_server.py):
client timeouts, forced-tool output mode, and ``vep-review review --base-url`` on real corpus
VEPs. The server's findings are synthetic ("[synthetic]"): these tests check grounding, lines,
usage figures and status, never review quality."""

import io
import json
from contextlib import redirect_stdout

from agent.cli import main
from agent.document import read
from agent.llm.fake_server import FakeAnthropic
from agent.review import LlmOptions, review_documents
from tests.conftest import make_ctx
from tests.llm.conftest import Capture, Sleeps, fixture_doc


def test_timeout_is_retried_then_reported():
    doc = fixture_doc("synthetic-vep.md")
    sleeps = Sleeps()
    with FakeAnthropic(script={"design_gaps": ["hang", "hang"]}, hang_seconds=3.0) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, timeout=0.3, max_retries=1,
                                                                  sleep=sleeps))
    assert len(sleeps.waits) == 1
    assert "request timed out (limit 0.3 s) after 2 attempts (design_gaps)" in report.llm_status
    assert report.llm_status.startswith("partial: 2 of 3 reviewers answered")
    assert {f.rule for f in report.findings if f.origin == "llm"} == {"LLM201", "LLM301"}


def test_forced_tool_output_mode():
    doc = fixture_doc("synthetic-vep.md")
    capture = Capture()
    with FakeAnthropic() as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, output_mode="tool", max_retries=0,
                                                                  http_client=capture.client()))
    for r in capture.requests:
        body = r["body"]
        assert [t["name"] for t in body["tools"]] == ["record_findings"]  # the one tool: the output schema
        assert body["tool_choice"] == {"type": "tool", "name": "record_findings"}
        assert "format" not in body.get("output_config", {})
    assert {f.rule for f in report.findings if f.origin == "llm"} == {"LLM101", "LLM201", "LLM301"}


def test_scripted_faults_through_the_server():
    doc = fixture_doc("synthetic-vep.md")
    script = {"design_gaps": [529, "invalid"], "cross_sig": ["unverifiable"], "feature_gate": [429, "max_tokens"]}
    with FakeAnthropic(script=script) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, max_retries=1, sleep=Sleeps()))
        per = {}
        for r in server.requests:
            per[r["reviewer"]] = per.get(r["reviewer"], 0) + 1
    # design_gaps: retry, then one invalid item dropped alone (no repair); plain; retry + repair
    assert per == {"warmup": 1, "design_gaps": 2, "cross_sig": 1, "feature_gate": 3}
    assert report.usage["dropped_unverified"] == 1 and report.usage["dropped_invalid"] == 1
    assert {f.rule for f in report.findings if f.origin == "llm"} == {"LLM301"}
    assert report.llm_status.startswith("ran: 5 calls")  # warm-up + three reviewers + one repair


def test_one_invalid_item_among_valid_ones_keeps_the_valid_ones_without_a_repair():
    doc = fixture_doc("synthetic-vep.md")
    with FakeAnthropic(script={"design_gaps": ["one_invalid"]}) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, max_retries=0,
                                                                  reviewers=("design_gaps",)))
        purposes = [r["reviewer"] for r in server.requests]
    assert purposes == ["design_gaps"]  # one call: no repair, no warm-up for a single reviewer
    assert report.usage["dropped_invalid"] == 1 and report.usage["calls"] == 1
    assert len([f for f in report.findings if f.origin == "llm"]) >= 1


def test_an_unusable_answer_gets_one_repair_that_reads_the_cache():
    doc = fixture_doc("synthetic-vep.md")
    with FakeAnthropic(script={"design_gaps": ["garbage"]}) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, max_retries=0,
                                                                  reviewers=("design_gaps",)))
        reqs = list(server.requests)
    assert [r["reviewer"] for r in reqs] == ["design_gaps", "design_gaps"]
    first, repair = reqs
    assert first["cache_creation_input_tokens"] > 0 and repair["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert repair["input_tokens"] < first["input_tokens"] + 200  # only the note is new
    assert [c["purpose"] for c in report.usage["per_call"]] == ["review", "repair"]
    assert [c["cache"] for c in report.usage["per_call"]] == ["write", "read"]


def run_cli(*argv):
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_cli_review_without_key_is_the_deterministic_review(corpus):
    path = str(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    check_code, check_out = run_cli("check", "--format", "json", path)
    code, out = run_cli("review", "--format", "json", path)
    assert code == check_code
    data, checked = json.loads(out), json.loads(check_out)
    assert data["findings"] == checked["findings"]
    assert data["llm"]["status"].startswith("skipped: ANTHROPIC_API_KEY is not set")
    code, text = run_cli("review", path)
    assert "LLM review: skipped: ANTHROPIC_API_KEY is not set" in text


def test_cli_review_with_a_self_hosted_endpoint_on_corpus_veps(corpus, monkeypatch):
    paths = [corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md",
             corpus / "veps/sig-storage/90-utility-volumes/vep.md"]
    with FakeAnthropic(delay=0.05) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        code, out = run_cli("review", "--format", "json", "--model", "claude-sonnet-5-5", *map(str, paths))
        code_sarif, sarif = run_cli("review", "--format", "sarif", str(paths[0]))
    data = json.loads(out)
    llm = [f for f in data["findings"] if f["origin"] == "llm"]
    assert {f["rule"] for f in llm} >= {"LLM101", "LLM201"}
    docs = {p.relative_to(corpus).as_posix(): read(str(p)) for p in paths}  # findings name repository paths
    for f in llm:
        doc = docs[f["path"]]
        assert f["quote"] in " ".join(doc.lines[f["line"] - 1].split())  # our line, holding the quote
        assert f["category"] and 0 <= f["confidence"] <= 1
    usage = data["llm"]["usage"]
    assert data["llm"]["status"].startswith("ran: ")
    assert usage["model"] == "claude-sonnet-5-5" and usage["calls"] == usage["attempts"] <= 3 * len(paths)
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0 and usage["estimated_cost_usd"] > 0
    assert usage["wall_seconds"] > 0
    results = json.loads(sarif)["runs"][0]["results"]
    assert any(r["ruleId"].startswith("LLM") for r in results)


def test_text_report_of_a_review_keeps_the_usage_line_short(corpus, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    path = str(corpus / "veps/sig-compute/250-vmi-serviceaccountname/vep.md")
    with FakeAnthropic(chatty=8) as server:
        code, text = run_cli("review", "--color", "never", "--base-url", server.url, path)
    (usage,) = [line for line in text.splitlines() if line.startswith("LLM usage: ")]
    assert "calls=" in usage and "estimated_cost_usd=" in usage
    assert "per_call" not in usage and "dropped_" not in usage and "{" not in usage  # those are in json / the status
    assert "candidate finding(s) kept (dropped: " in text


def test_a_rejected_key_or_unknown_model_ends_the_llm_part_at_the_first_request():
    """401/403/404 would meet every later request too: the other reviewers' requests are not
    sent, and the status gives the reason once; a warm-up's 400 is every reviewer's (its
    request is their common start), a reviewer's own 400 is only its own."""
    doc = fixture_doc("synthetic-vep.md")
    with FakeAnthropic(script={"warmup": [401]}) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, sleep=Sleeps()))
        sent = [r["reviewer"] for r in server.requests]
    assert sent == ["warmup"]
    assert report.llm_status.count("authentication failed (HTTP 401)") == 1 and report.llm_status.startswith("failed")
    with FakeAnthropic(script={"warmup": [404]}) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, sleep=Sleeps()))
        assert len(server.requests) == 1 and "HTTP 404" in report.llm_status
    with FakeAnthropic(script={"warmup": [400]}) as server:
        review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, sleep=Sleeps()))
        assert [r["reviewer"] for r in server.requests] == ["warmup"]
    with FakeAnthropic(script={"design_gaps": [400]}) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, sleep=Sleeps()))
        sent = sorted(r["reviewer"] for r in server.requests)
    assert "design_gaps" in sent and len(sent) >= 3  # the warm-up and the other reviewers still ran
