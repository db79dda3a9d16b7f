"""The review graph degrades instead of failing (agent/graph.py, agent/review.py)."""

import asyncio

import pytest

import agent.graph as graph
from agent.engine import check_document
from agent.llm.fake_server import FakeAnthropic
from agent.review import NO_KEY, LlmOptions, review_documents
from tests.conftest import make_ctx
from tests.llm.conftest import Capture, fixture_doc, review


def test_graph_shape():
    nodes = set(graph.build_graph().get_graph().nodes)
    assert {"load", "checks", "design_gaps", "cross_sig", "feature_gate", "verify", "report"} <= nodes


def test_no_key_gives_the_complete_deterministic_report_and_one_line():
    doc = fixture_doc("synthetic-vep.md")
    report = review_documents([(doc, make_ctx())], LlmOptions())
    assert report.files[0].findings == check_document(doc, make_ctx())
    assert report.llm_status == f"skipped: {NO_KEY}"
    assert "\n" not in report.llm_status and report.usage == {}


def test_no_llm_flag():
    doc = fixture_doc("synthetic-vep.md")
    report = review_documents([(doc, make_ctx())], LlmOptions(enabled=False, api_key="sk-test"))
    assert report.llm_status == "skipped: disabled with --no-llm"
    assert report.files[0].findings == check_document(doc, make_ctx())


def test_a_reviewer_node_raising_keeps_the_other_reviewers_findings(synthetic_vcr, monkeypatch):
    real = graph.run_reviewer

    async def flaky(reviewer, *args, **kwargs):
        if reviewer.key == "cross_sig":
            raise RuntimeError("boom")
        return await real(reviewer, *args, **kwargs)

    monkeypatch.setattr(graph, "run_reviewer", flaky)
    doc = fixture_doc("synthetic-vep.md")
    report, _, _ = review(doc, "happy_path.yaml", synthetic_vcr)
    rules = sorted(f.rule for f in report.findings if f.origin == "llm")
    assert rules == ["LLM101", "LLM101", "LLM301"]
    assert report.llm_status.startswith("partial: 2 of 3 reviewers answered, 3 calls")  # warm-up + 2
    assert report.llm_status.endswith("internal error: RuntimeError: boom (cross_sig)")
    assert [f for f in report.findings if f.origin == "check"] == check_document(doc, make_ctx())


def test_a_failing_verify_drops_llm_findings_but_not_the_deterministic_ones(synthetic_vcr, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("verifier broke")

    monkeypatch.setattr(graph, "verify", broken)
    doc = fixture_doc("synthetic-vep.md")
    report, _, _ = review(doc, "happy_path.yaml", synthetic_vcr)
    assert [f for f in report.findings if f.origin == "llm"] == []
    assert report.files[0].findings == check_document(doc, make_ctx())
    assert "LLM findings dropped" in report.llm_status and report.llm_status.startswith("partial:")


def test_a_failing_load_still_checks(monkeypatch):
    def broken(doc, ctx):
        raise KeyError("odd")

    monkeypatch.setattr(graph, "prepare", broken)
    doc = fixture_doc("synthetic-vep.md")
    with FakeAnthropic() as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, max_retries=0))
        assert server.requests == []
    assert report.files[0].findings == check_document(doc, make_ctx())
    assert report.llm_status.startswith("failed: internal error: KeyError") and "(load)" in report.llm_status


def test_whole_graph_failure_falls_back_to_the_deterministic_review(monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("graph exploded")

    import agent.graph

    monkeypatch.setattr(agent.graph, "review_one", broken)
    doc = fixture_doc("synthetic-vep.md")
    report = review_documents([(doc, make_ctx())], LlmOptions(base_url="http://127.0.0.1:9", max_retries=0))
    assert report.files[0].findings == check_document(doc, make_ctx())
    assert report.llm_status == ("failed: internal error: RuntimeError: graph exploded (graph); "
                                 "the deterministic review is complete")


def test_reviewers_run_in_parallel_after_one_warm_up_and_cost_at_most_four_calls():
    doc = fixture_doc("synthetic-vep.md")
    with FakeAnthropic(delay=0.4) as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, max_retries=0))
        reqs = list(server.requests)
    assert len(reqs) == 4 and report.usage["attempts"] == 4
    warm, reviewers = reqs[0], reqs[1:]
    assert warm["reviewer"] == "warmup" and warm["max_tokens"] == 1 and warm["cache_creation_input_tokens"] > 0
    # the reviewers start once the warm-up has written the prefix, and read it
    assert min(r["start"] for r in reviewers) >= warm["end"]
    assert all(r["cache_creation_input_tokens"] == 0 and r["cache_read_input_tokens"] == warm["cache_creation_input_tokens"]
               for r in reviewers)
    # every reviewer request started before any of them was answered: they overlapped
    assert max(r["start"] for r in reviewers) < min(r["end"] for r in reviewers)
    assert {f.rule for f in report.findings if f.origin == "llm"} == {"LLM101", "LLM201", "LLM301"}


def test_feature_gate_reviewer_is_skipped_when_a_gate_is_named():
    doc = fixture_doc("injection-vep.md")
    with FakeAnthropic() as server:
        report = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, max_retries=0))
        reviewers = sorted(r["reviewer"] for r in server.requests)
    assert reviewers == ["cross_sig", "design_gaps", "warmup"]
    assert report.llm_status.startswith("ran: 3 calls")


def test_configured_reviewers_and_model(monkeypatch):
    doc = fixture_doc("synthetic-vep.md")
    ctx = make_ctx()
    ctx.config.llm = {"model": "claude-opus-5-5", "reviewers": ["design_gaps"]}
    capture = Capture()
    with FakeAnthropic() as server:
        report = review_documents([(doc, ctx)], LlmOptions(base_url=server.url, max_retries=0, http_client=capture.client()))
    assert [r["headers"]["x-vep-review-reviewer"] for r in capture.requests] == ["design_gaps"]
    assert capture.requests[0]["body"]["model"] == "claude-opus-5-5" and report.usage["model"] == "claude-opus-5-5"
    monkeypatch.setenv("VEP_REVIEW_MODEL", "claude-haiku-4-5")
    assert LlmOptions().resolved_model(ctx.config.llm) == "claude-haiku-4-5"
    assert LlmOptions(model="claude-sonnet-5").resolved_model(ctx.config.llm) == "claude-sonnet-5"


def test_effort_is_sent_only_to_models_that_take_it():
    doc = fixture_doc("synthetic-vep.md")
    for model, expected in (("claude-sonnet-5-5", {"effort": "medium"}), ("claude-haiku-4-5", {}), ("local-model", {})):
        capture = Capture()
        with FakeAnthropic() as server:
            review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, model=model, max_retries=0,
                                                             reviewers=("design_gaps",), http_client=capture.client()))
        config = capture.requests[0]["body"]["output_config"]
        assert {k: v for k, v in config.items() if k != "format"} == expected


def test_review_documents_works_inside_a_running_event_loop():
    doc = fixture_doc("synthetic-vep.md")

    async def caller():
        return review_documents([(doc, make_ctx())], LlmOptions(enabled=False))

    report = asyncio.run(caller())
    assert report.llm_status == "skipped: disabled with --no-llm"


@pytest.mark.parametrize("n_docs", [3])
def test_several_documents_one_status_line(n_docs):
    docs = [fixture_doc("synthetic-vep.md") for _ in range(n_docs)]
    with FakeAnthropic() as server:
        report = review_documents([(d, make_ctx()) for d in docs], LlmOptions(base_url=server.url, max_retries=0))
    assert len(report.files) == n_docs and report.usage["documents"] == n_docs
    assert report.llm_status.startswith(f"ran: {4 * n_docs} calls, model claude-sonnet-5-5; ")
    # the first request wrote the shared prefix, the later ones read it
    assert report.usage["cache_read_input_tokens"] > 0 and report.usage["cache_creation_input_tokens"] > 0


def test_reviewer_node_timeout_is_a_backstop():
    from agent.llm.client import ClientSettings, LlmClient

    doc = fixture_doc("synthetic-vep.md")

    async def run(url):
        client = LlmClient(ClientSettings(model="claude-sonnet-5-5", api_key="k", base_url=url, timeout=30, max_retries=0))
        try:
            deps = graph.Deps(client=client, reviewers=("design_gaps",))
            return await graph.review_one(doc, make_ctx(), deps, reviewer_timeout=0.5)
        finally:
            await client.aclose()

    with FakeAnthropic(delay=3.0) as server:
        state = asyncio.run(run(server.url))
    assert state["notes"] == ["design_gaps: no answer within the reviewer's time limit (node timeout)"]
    assert state["file_report"].findings == check_document(doc, make_ctx())


def test_inline_suppression_of_an_llm_rule(synthetic_vcr, tmp_path):
    from agent.document import parse
    from tests.llm.conftest import FIXTURES

    text = (FIXTURES / "synthetic-vep.md").read_text() + "\n<!-- vep-review: disable=LLM201, design-gap -->\n"
    doc = parse(text.encode(), "vep.md", "veps/sig-network/900-example-volume-cache/vep.md")
    report, capture, _ = review(doc, "happy_path.yaml", synthetic_vcr)
    assert sorted(f.rule for f in report.findings if f.origin == "llm") == ["LLM301"]
    assert [r["headers"]["x-vep-review-reviewer"] for r in capture.requests] == ["feature_gate"]  # no wasted calls
