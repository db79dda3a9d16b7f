"""Pieces of the client and the prompt assembly that need no HTTP (agent/llm/client.py,
agent/llm/prompts.py, agent/llm/context_docs.py)."""

import email.utils
import time
from pathlib import Path

from agent.llm.client import ClientSettings, LlmClient, _retry_after, supports_effort
from agent.llm.context_docs import SOURCES, process_documents
from agent.llm.prompts import build_request
from tests.conftest import CORPUS, SHARED, need


def test_retry_after_forms():
    assert _retry_after({"retry-after": "7"}) == 7.0
    assert _retry_after({"retry-after-ms": "1500", "retry-after": "60"}) == 1.5
    assert _retry_after({}) is None and _retry_after({"retry-after": "soon"}) is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= _retry_after({"retry-after": future}) <= 31


def test_effort_support():
    assert supports_effort("claude-sonnet-5-5") and supports_effort("claude-opus-4-6")
    assert not supports_effort("claude-haiku-4-5") and not supports_effort("llama-3")


def test_sdk_retries_are_off():
    client = LlmClient(ClientSettings(model="m", api_key="k", max_retries=5))
    assert client._client.max_retries == 0  # our loop retries, with a capped wait


def test_bundled_process_documents_without_a_repository():
    docs = process_documents(None)
    assert [d.name for d in docs] == [name for name, _, _ in SOURCES]
    assert {d.origin for d in docs} == {"bundled summary"}
    assert all("<!--" not in d.text and d.text for d in docs)


def test_repository_documents_win(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "feature-lifecycle.md").write_text("# Our lifecycle\nGates are required.\n")
    docs = {d.name: d for d in process_documents(tmp_path)}
    assert docs["docs/feature-lifecycle.md"].origin == "repository"
    assert docs["docs/feature-lifecycle.md"].text.startswith("# Our lifecycle")
    assert docs["docs/vep-writing-guide.md"].origin == "bundled summary"


def test_bundled_summaries_are_not_copies_of_the_upstream_documents():
    """Our own words: no long run of words is shared with the upstream text."""
    upstream = {"vep-writing-guide.md": need(SHARED / "corpus/kubevirt-enhancements-newer-docs/docs/vep-writing-guide.md"),
                "feature-lifecycle.md": need(CORPUS / "docs/feature-lifecycle.md")}
    bundled = {d.name.split("/")[-1]: d.text for d in process_documents(None)}
    for name, path in upstream.items():
        theirs = " ".join(Path(path).read_text().split()).lower()
        words = " ".join(bundled[name].split()).lower().split()
        shared = [" ".join(words[i:i + 12]) for i in range(len(words) - 12) if " ".join(words[i:i + 12]) in theirs]
        assert shared == [], shared[:3]


def test_request_layout_keeps_the_cached_prefix_identical():
    a = build_request("design_gaps.md", "doc one", "veps/a/1-x/vep.md", "facts a", None)
    b = build_request("cross_sig.md", "doc two", "veps/b/2-y/vep.md", "facts b", None)
    assert a.system == b.system and a.system[0]["cache_control"] == {"type": "ephemeral"} and len(a.system) == 1
    # breakpoint 2: the VEP, the same for every reviewer of a VEP; the task comes after it, uncached
    c = build_request("cross_sig.md", "doc one", "veps/a/1-x/vep.md", "facts c", None)
    assert a.user[0] == c.user[0] and a.user[0]["cache_control"] == {"type": "ephemeral"}
    assert "doc one" in a.user[0]["text"] and "doc one" not in a.system[0]["text"]
    assert a.user[1] != c.user[1] and "cache_control" not in a.user[1]
    assert a.user[1]["text"].endswith("<review_facts>\nfacts a\n</review_facts>")
    # with a base version the change block joins the cached VEP block
    d = build_request("design_gaps.md", "doc one", "veps/a/1-x/vep.md", "facts a", None, "<vep_change>x</vep_change>")
    assert "cache_control" not in d.user[0] and d.user[1]["cache_control"] == {"type": "ephemeral"}
    assert d.user[1]["text"] == "<vep_change>x</vep_change>" and d.user[2] == a.user[1]


def test_client_timeout_without_a_socket():
    """A transport that times out: retried, then reported with the attempts counted."""
    import asyncio

    import httpx2

    from agent.llm.client import LlmError
    from agent.llm.prompts import build_request
    from tests.llm.conftest import Sleeps

    seen = []

    def handler(request):
        seen.append(request.headers["x-vep-review-reviewer"])
        raise httpx2.ReadTimeout("timed out", request=request)

    sleeps = Sleeps()
    client = LlmClient(ClientSettings(model="claude-sonnet-5-5", api_key="k", timeout=1.5, max_retries=2,
                                      max_retry_wait=0.25), http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
                       sleep=sleeps)
    request = build_request("design_gaps.md", "text", "veps/a/1-b/vep.md", "facts", None)

    async def run():
        try:
            return await client.review("design_gaps", request)
        finally:
            await client.aclose()

    try:
        asyncio.run(run())
    except LlmError as exc:
        error = exc
    assert seen == ["design_gaps"] * 3 and len(sleeps.waits) == 2 and max(sleeps.waits) <= 0.25
    assert error.kind == "unavailable" and error.reason == "request timed out (limit 1.5 s) after 3 attempts"
    assert [r.status for r in error.records] == [None, None, None]
