"""The LLM case sets of ``vep-review eval`` (``concerns``, ``gaps``), without the network.

Cassettes here are synthetic: recorded from the fake Anthropic-compatible server
(:mod:`agent.llm.fake_server`) into a folder named ``synthetic/``, or the project's own
``tests/cassettes/synthetic/``. The tests check the harness: replay, "not recorded", stale
prompts, usage, and that synthetic cassettes are labelled as such and never reported as a
model's score. Matching rules are tested on hand-built findings.
"""

from __future__ import annotations

import json
import shutil

import pytest

from agent.document import parse
from agent.findings import Finding, Severity
from tests.conftest import CORPUS, HISTORY, ROOT, need

GAP_CASE = "gaps/update_rollback_na/307-vhostuser-binding-plugin"
CONCERN_CASE = "concerns/sig-compute/10"
MODEL = "fake-model"


def _finding(category, section=None, quote=None, message="A concern.", fix=""):
    return Finding(rule="LLM101", name="design-gap", severity=Severity.WARNING, path="x", line=1, message=message,
                   fix=fix, section=section, origin="llm", category=category, quote=quote)


# -- matching -----------------------------------------------------------------------------------

def test_gap_matching_needs_category_and_the_planted_part():
    from agent.template import load_template
    from evals.llm import finding_matches_gap

    t = load_template(None)
    doc = parse("# VEP #1: X\n\n## Design\n\n### Details\n\nText.\n\n## Update/Rollback Compatibility\n\nN/A\n",
                "veps/sig-compute/1-x/vep.md", "veps/sig-compute/1-x/vep.md")
    expect = {"category": "upgrade-rollback", "section": "Update/Rollback Compatibility", "planted": "N/A"}
    assert finding_matches_gap(_finding("upgrade-rollback", "Update / Rollback Compatibility"), expect, t, doc)
    assert finding_matches_gap(_finding("upgrade-rollback", "Overview", quote="N/A"), expect, t, doc)
    assert not finding_matches_gap(_finding("upgrade-rollback", "Design"), expect, t, doc)
    assert not finding_matches_gap(_finding("testing", "Update/Rollback Compatibility"), expect, t, doc)
    cross = {"category": "cross-sig", "section": "Design", "planted": "a new field", "sig": "sig-network"}
    assert finding_matches_gap(_finding("cross-sig", "Details", message="sig-network owns interfaces"), cross, t, doc)
    assert not finding_matches_gap(_finding("cross-sig", "Design", message="Another SIG is affected"), cross, t, doc)
    either = {"category": ["scope-goals", "upgrade-rollback"], "section": "Design"}
    assert finding_matches_gap(_finding("upgrade-rollback", "Design"), either, t, doc)


def test_concern_matching_by_category_sig_and_section():
    from agent.template import load_template
    from evals.llm import finding_matches_concern

    t = load_template(None)
    doc = parse("# VEP #2: Y\n\n## Goals\n\n- Make the thing fast and safe for everyone.\n\n## Scalability\n\nFine.\n",
                "veps/sig-compute/2-y/vep.md", "veps/sig-compute/2-y/vep.md")
    scope = {"category": "scope-goals", "quote": "reviewer text not in the VEP"}
    assert finding_matches_concern(_finding("scope-goals", "Goals"), scope, t, doc)
    assert not finding_matches_concern(_finding("scope-goals", "Scalability"), scope, t, doc)
    quoted = {"category": "scalability-performance", "quote": "Make the thing fast and safe for everyone."}
    assert finding_matches_concern(_finding("scalability-performance", "Goals"), quoted, t, doc)  # where the quote is
    other = {"category": "other"}
    assert finding_matches_concern(_finding("other", "Anything"), other, t, doc)
    cross = {"category": "cross-sig", "cross_sig": "SSP/templates operator (HCO, CDI)"}
    assert finding_matches_concern(_finding("cross-sig", "Design", message="CDI imports the golden images"), cross, t, doc)
    assert not finding_matches_concern(_finding("cross-sig", "Design", message="sig-network is affected"), cross, t, doc)


# -- replay from synthetic cassettes ------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory):
    """One gap case and one concern case recorded from the fake server into a ``synthetic``
    folder (no network: the server is local)."""
    from agent.llm.fake_server import FakeAnthropic
    from evals import llm
    from evals.corpus import Corpus

    need(CORPUS)
    need(HISTORY)
    root = tmp_path_factory.mktemp("cassettes") / "synthetic"
    corpus = Corpus.open(CORPUS)
    with FakeAnthropic() as server:
        settings = llm.LlmSettings(model=MODEL, cassettes=root, record=True, base_url=server.url)
        gaps = llm.run_llm_set("gaps", llm.gap_cases(corpus), corpus, settings, selected=[GAP_CASE])
        concerns = llm.run_llm_set("concerns", llm.concern_cases(corpus), corpus, settings, selected=[CONCERN_CASE])
    for s in (gaps, concerns):
        assert [c.status for c in s.cases] in (["pass"], ["fail"]), [c.detail for c in s.cases]
    return root


def _run(tmp_path, *args) -> tuple[int, dict, str]:
    from evals.run import main

    out = tmp_path / "out"
    code = main([*args, "--model", MODEL, "--out", str(out)])
    return code, json.loads((out / "report.json").read_text()), (out / "report.md").read_text()


def test_replay_is_labelled_synthetic_and_not_a_model_score(synthetic_root, tmp_path):
    from evals import replay

    cassette = replay.cassette_path(synthetic_root, MODEL, replay.prompt_hash(), GAP_CASE)
    meta = replay.read_metadata(cassette)
    assert meta["model"] == MODEL and meta["prompt_hash"] == replay.prompt_hash() and meta["synthetic"] is True
    assert meta["prompt_files"] and "usage" in meta
    code, data, md = _run(tmp_path, "--only", "llm", "--cassettes", str(synthetic_root),
                          "--case", GAP_CASE, "--case", CONCERN_CASE)
    assert code == 0  # LLM figures never fail the run
    for name in ("gaps", "concerns"):
        s = data["sets"][name]
        assert s["metrics"]["synthetic"] is True and s["metrics"]["model_score"] is False
        assert s["metrics"]["cases_scored"] == 1
        assert s["counts"]["not-recorded"] == 0 and s["counts"]["error"] == 0
        assert s["usage"]["input_tokens"] > 0 and s["usage"]["calls"] >= 1
        assert any("SYNTHETIC" in n for n in s["notes"])
        assert all(f["quote"] for c in s["cases"] for f in c["findings"])  # findings are the reviewer's, verified
    assert "SYNTHETIC: not a model score" in md
    assert "Caveat: the human concerns are a partial record" in md


def test_cases_without_cassettes_are_not_recorded(tmp_path):
    need(CORPUS)
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(tmp_path / "empty"))
    s = data["sets"]["gaps"]
    assert code == 0 and s["counts"]["total"] > 0
    assert s["counts"]["not-recorded"] == s["counts"]["total"] - s["counts"]["skipped"]
    assert s["metrics"]["cases_scored"] == 0 and s["metrics"].get("recall") is None
    assert s["metrics"]["model_score"] is True  # a real model folder, just empty


def test_changed_prompts_make_cassettes_stale(synthetic_root, tmp_path):
    from evals import replay

    root = tmp_path / "synthetic"
    shutil.copytree(synthetic_root, root)
    current = root / MODEL / replay.prompt_hash()
    current.rename(root / MODEL / "0123456789ab")  # as if recorded with other prompts
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(root), "--case", GAP_CASE)
    s = data["sets"]["gaps"]
    assert [c["status"] for c in s["cases"]] == ["stale"]
    assert "0123456789ab" in s["cases"][0]["detail"]
    assert any("older prompts" in n for n in s["notes"]) and s["metrics"]["cases_scored"] == 0


def test_a_synthetic_cassette_among_model_cassettes_is_ignored(synthetic_root, tmp_path):
    from evals import replay

    root = tmp_path / "cassettes"  # not a synthetic folder
    src = replay.cassette_path(synthetic_root, MODEL, replay.prompt_hash(), GAP_CASE)
    dst = replay.cassette_path(root, MODEL, replay.prompt_hash(), GAP_CASE)
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)  # its metadata says synthetic: true
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(root), "--case", GAP_CASE)
    s = data["sets"]["gaps"]
    assert s["metrics"]["cases_scored"] == 0
    assert "synthetic cassette" in s["cases"][0]["detail"]


def test_a_cassette_that_does_not_answer_is_an_error_not_a_score(synthetic_root, tmp_path):
    """Replay never reaches the network: a cassette recorded for another document fails the
    case (reported as an error) instead of calling the API."""
    import yaml

    from evals import replay

    root = tmp_path / "cassettes"  # a model folder: requests are matched on their body
    src = replay.cassette_path(synthetic_root, MODEL, replay.prompt_hash(), GAP_CASE)
    other = "gaps/update_rollback_na/10-dra-devices"
    dst = replay.cassette_path(root, MODEL, replay.prompt_hash(), other)
    dst.parent.mkdir(parents=True)
    data = yaml.safe_load(src.read_text())
    data["metadata"]["synthetic"] = False
    dst.write_text(yaml.safe_dump(data))
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(root), "--case", other)
    case = data["sets"]["gaps"]["cases"][0]
    assert case["status"] == "error" and "re-record" in case["detail"]
    assert data["sets"]["gaps"]["metrics"]["cases_scored"] == 0


def test_project_synthetic_cassettes_are_never_a_model_score(tmp_path):
    """The reviewer's hand-written cassette tests/cassettes/synthetic/happy_path.yaml, filed
    as an eval case's cassette, replays through the harness (matched by reviewer: it has no
    request bodies) and every figure is labelled synthetic, never a model score. Its answers
    quote the reviewer's own fixture VEP, so on a corpus VEP they do not verify and are
    dropped: a case that replays but raises nothing."""
    from agent.review import DEFAULT_MODEL
    from evals import replay

    need(CORPUS)
    happy = ROOT / "tests" / "cassettes" / "synthetic" / "happy_path.yaml"
    if not happy.is_file():
        pytest.skip("tests/cassettes/synthetic/happy_path.yaml does not exist")
    root = tmp_path / "synthetic"
    dst = replay.cassette_path(root, DEFAULT_MODEL, replay.prompt_hash(), GAP_CASE)
    dst.parent.mkdir(parents=True)
    shutil.copy(happy, dst)
    from evals.run import main

    out = tmp_path / "out"
    code = main(["--only", "llm", "--cassettes", str(root), "--model", DEFAULT_MODEL, "--out", str(out)])
    data, md = json.loads((out / "report.json").read_text()), (out / "report.md").read_text()
    assert code == 0
    gaps = data["sets"]["gaps"]
    case = next(c for c in gaps["cases"] if c["id"] == GAP_CASE)
    assert case["status"] in ("pass", "fail"), case["detail"]
    assert case["extra"]["llm_status"].startswith("ran:")
    assert gaps["metrics"]["cases_scored"] == 1 and gaps["usage"]["calls"] >= 1
    for name in ("gaps", "concerns"):
        m = data["sets"][name]["metrics"]
        assert m["synthetic"] is True and m["model_score"] is False
    assert data["sets"]["concerns"]["metrics"]["cases_scored"] == 0  # nothing filed for them: not recorded
    assert "SYNTHETIC: not a model score" in md


def test_record_without_key_or_endpoint_records_nothing(tmp_path, monkeypatch):
    need(CORPUS)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code, data, md = _run(tmp_path, "--only", "gaps", "--record", "--cassettes", str(tmp_path / "c"),
                          "--case", GAP_CASE)
    s = data["sets"]["gaps"]
    assert any("needs ANTHROPIC_API_KEY" in n for n in s["notes"])
    assert [c["status"] for c in s["cases"]] == ["not-recorded"]
    assert not (tmp_path / "c").exists()


# -- --record --batch ------------------------------------------------------------------------------

class _FakeBatches:
    """A local stand-in for the Message Batches API: a batch ends at the first poll and
    answers every request the way agent.llm.fake_server answers single calls."""

    def __init__(self):
        import http.server
        import threading

        from agent.llm.fake_server import synthetic_answer

        fake = self
        self.created: list[dict] = []
        self.polls = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, payload, ctype="application/json"):
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _batch(self, status):
                return {"id": "msgbatch_1", "type": "message_batch", "processing_status": status,
                        "request_counts": {"processing": 0, "succeeded": len(fake.created), "errored": 0,
                                           "canceled": 0, "expired": 0},
                        "created_at": "2026-11-22T00:00:00Z", "expires_at": "2026-11-23T00:00:00Z",
                        "results_url": f"{fake.url}/v1/messages/batches/msgbatch_1/results" if status == "ended" else None}

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.created = body["requests"]
                self._send(self._batch("in_progress"))

            def do_GET(self):  # noqa: N802
                if self.path.endswith("/results"):
                    lines = []
                    for r in fake.created:
                        answer = synthetic_answer(r["params"], "design_gaps")
                        msg = {"id": "msg_b", "type": "message", "role": "assistant", "model": r["params"]["model"],
                               "content": [{"type": "text", "text": json.dumps(answer)}], "stop_reason": "end_turn",
                               "usage": {"input_tokens": 100, "output_tokens": 10}}
                        lines.append(json.dumps({"custom_id": r["custom_id"],
                                                 "result": {"type": "succeeded", "message": msg}}))
                    return self._send("\n".join(lines).encode(), "application/binary")
                fake.polls += 1
                self._send(self._batch("ended"))

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_record_through_a_message_batch(tmp_path):
    """--record --batch: requests captured in process, sent as one batch, cassettes written
    from the results, then replayed and scored like any other."""
    import anthropic

    from evals import llm, replay
    from evals.batch import record_batch
    from evals.corpus import Corpus

    need(CORPUS)
    corpus = Corpus.open(CORPUS)
    fake = _FakeBatches()
    root = tmp_path / "synthetic"
    try:
        settings = llm.LlmSettings(model=MODEL, cassettes=root, record=True, batch=True, base_url=fake.url)
        cases = [c for c in llm.gap_cases(corpus) if c.id == GAP_CASE]
        client = anthropic.Anthropic(api_key="k", base_url=fake.url, max_retries=0)
        status = record_batch(cases, corpus, settings, replay.prompt_hash(), client=client, sleep=lambda _: None)
    finally:
        fake.close()
    assert status == {GAP_CASE: None}
    assert fake.created and fake.polls >= 1
    meta = replay.read_metadata(replay.cassette_path(root, MODEL, replay.prompt_hash(), GAP_CASE))
    assert meta["recorded_via"] == "message-batches" and meta["batch_id"] == "msgbatch_1"
    assert meta["usage"]["input_tokens"] == 100 * len(fake.created)
    replayed = llm.run_llm_set("gaps", cases, corpus, llm.LlmSettings(model=MODEL, cassettes=root))
    assert [c.status for c in replayed.cases] in (["pass"], ["fail"]), replayed.cases[0].detail
    assert replayed.metrics["cases_scored"] == 1 and replayed.metrics["synthetic"] is True
