"""Replays real API exchanges recorded into tests/cassettes/recorded/ (skipped when none).

To record (needs a key; costs a few cents; see docs/llm-review.md)::

    ANTHROPIC_API_KEY=... python -m pytest tests/llm/test_recorded.py --record-mode=once

``--record-mode`` comes from pytest-recording; ``once`` records a cassette that does not exist
yet and replays it afterwards. The ``authorization`` and ``x-api-key`` headers are filtered out
(tests/llm/test_cassette_secrets.py checks every cassette). A recorded cassette is tied to the
prompts and the document: after a prompt change, delete it and record again.
"""

import pytest

from agent.document import read
from agent.review import LlmOptions, review_documents
from tests.conftest import make_ctx
from tests.llm.conftest import RECORDED, REAL_API_KEY, make_vcr

CASES = {
    "review_307_vhostuser.yaml": "veps/sig-network/307-vhostuser-binding-plugin/vep.md",
    "review_250_serviceaccountname.yaml": "veps/sig-compute/250-vmi-serviceaccountname/vep.md",
}


@pytest.mark.parametrize("cassette", sorted(CASES))
def test_recorded_review(cassette, corpus, record_mode):
    path = RECORDED / cassette
    replay = record_mode == "none" or (record_mode == "once" and path.exists())
    if replay and not path.exists():
        pytest.skip(f"no recorded cassette {path.name}: record one with a key, "
                    "python -m pytest tests/llm/test_recorded.py --record-mode=once")
    if not replay and REAL_API_KEY is None:
        pytest.skip("recording needs ANTHROPIC_API_KEY")
    doc = read(str(corpus / CASES[cassette]))
    options = LlmOptions(api_key=REAL_API_KEY if not replay else "sk-replay-no-network", max_retries=0 if replay else 2,
                         timeout=120.0)
    with make_vcr(RECORDED, "none" if replay else record_mode).use_cassette(cassette):
        report = review_documents([(doc, make_ctx())], options)
    assert report.llm_status.startswith(("ran:", "partial:")), report.llm_status
    assert report.usage["calls"] >= 1 and report.usage["input_tokens"] > 0
    for f in report.findings:
        if f.origin == "llm":
            span = " ".join(" ".join(doc.lines[f.line - 1:f.extra.get("end_line", f.line)]).split())
            assert f.quote in span


def test_recording_filters_the_key_and_replays(tmp_path):
    """The recording path, exercised against the local fake server: the key sent is not stored,
    and the cassette replays to the same findings without the server."""
    from agent.llm.fake_server import FakeAnthropic
    from tests.llm.conftest import fixture_doc
    from tests.llm.test_cassette_secrets import leaks

    doc = fixture_doc("synthetic-vep.md")
    key = "sk-ant-" + "api03-THIS-IS-A-FAKE-KEY-0123456789"  # split: no key-shaped literal in the tree
    with FakeAnthropic() as server:
        with make_vcr(tmp_path, "once").use_cassette("recorded.yaml"):
            recorded = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, api_key=key, max_retries=0))
    cassette = tmp_path / "recorded.yaml"
    assert cassette.exists() and key not in cassette.read_text() and leaks(cassette) == []
    with make_vcr(tmp_path, "none").use_cassette("recorded.yaml"):
        replayed = review_documents([(doc, make_ctx())], LlmOptions(base_url=server.url, api_key="sk-other", max_retries=0))
    assert replayed.findings == recorded.findings and replayed.llm_status == recorded.llm_status
