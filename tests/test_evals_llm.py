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


def test_concern_matching_needs_section_and_subject():
    """The deterministic matcher: same section family AND the same subject (shared salient
    terms, at least one in the finding's own words); the category label is not compared."""
    from agent.template import load_template
    from evals.llm import finding_matches_concern

    t = load_template(None)
    doc = parse("# VEP #2: Y\n\n## Goals\n\n- Make the thing fast and safe for everyone.\n\n## Scalability\n\nFine.\n",
                "veps/sig-compute/2-y/vep.md", "veps/sig-compute/2-y/vep.md")
    scope = {"category": "scope-goals", "summary": "Reviewer asked who the target personas are; cluster admins?",
             "quote": "Are these cluster admins?"}
    good = "The personas look like cluster admins."
    assert finding_matches_concern(_finding("scope-goals", "Goals", message=good), scope, t, doc)
    assert finding_matches_concern(_finding("other", "Goals", message=good), scope, t, doc)  # label not compared
    assert not finding_matches_concern(_finding("scope-goals", "Scalability", message=good), scope, t, doc)
    assert not finding_matches_concern(_finding("scope-goals", "Goals"), scope, t, doc)  # "A concern." has no subject
    # the subject must be in the finding's own words, not only in the VEP text it quotes
    quoting = _finding("scope-goals", "Goals", quote="personas cluster admins", message="This needs more detail.")
    assert not finding_matches_concern(quoting, scope, t, doc)
    quoted = {"category": "scalability-performance", "summary": "Asked whether everyone gets it fast and safe.",
              "quote": "Make the thing fast and safe for everyone."}
    assert finding_matches_concern(_finding("scalability-performance", "Goals", message="Is it fast and safe?"),
                                   quoted, t, doc)  # where the quote is
    other = {"category": "other", "summary": "Rename the redfish project.", "quote": "renaming the project"}
    assert finding_matches_concern(_finding("other", "Anything", message="Consider renaming the redfish project."),
                                   other, t, doc)
    cross = {"category": "cross-sig", "cross_sig": "SSP/templates operator (HCO, CDI)",
             "summary": "golden images DataSources responsibilities", "quote": "SSP creates DataSources"}
    msg = "CDI imports the golden images; who creates the DataSources?"
    assert finding_matches_concern(_finding("cross-sig", "Design", message=msg), cross, t, doc)
    assert not finding_matches_concern(_finding("cross-sig", "Design", message="sig-network golden images DataSources"),
                                       cross, t, doc)


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

    cassette = replay.cassette_path(synthetic_root, MODEL, GAP_CASE)
    meta = replay.read_metadata(cassette)
    assert meta["model"] == MODEL and meta["prompt_hash"] == replay.prompt_hash() and meta["synthetic"] is True
    assert meta["prompt_files"] and "usage" in meta
    assert len(meta["request_key"]) == 16 and "VEP text" in meta["components"]
    assert any(k.startswith("process document ") for k in meta["components"])
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


def _corpus_copy(tmp_path):
    """A copy of the corpus (its history, SIG release data and evals linked beside it)."""
    base = tmp_path / "shared" / "corpus"
    base.mkdir(parents=True)
    root = base / CORPUS.name
    shutil.copytree(CORPUS, root, symlinks=True)
    for sibling in CORPUS.parent.iterdir():
        if sibling.name != CORPUS.name:
            (base / sibling.name).symlink_to(sibling)
    if (CORPUS.parent.parent / "evals").exists():
        (tmp_path / "shared" / "evals").symlink_to(CORPUS.parent.parent / "evals")
    return root


def test_one_word_of_a_process_document_makes_cassettes_stale(synthetic_root, tmp_path):
    """A one-word change in the checked repository's docs/feature-lifecycle.md changes what the
    reviewers are sent: the case is "stale" (naming the document), not an error, and --record
    records it again; an unchanged case is not recorded again."""
    from agent.llm.fake_server import FakeAnthropic

    root = _corpus_copy(tmp_path)
    doc = root / "docs" / "feature-lifecycle.md"
    if not doc.is_file():
        pytest.skip("the corpus has no docs/feature-lifecycle.md")
    cassettes = tmp_path / "synthetic"
    shutil.copytree(synthetic_root, cassettes)
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(cassettes), "--case", GAP_CASE,
                          "--corpus", str(root))
    assert [c["status"] for c in data["sets"]["gaps"]["cases"]] in (["pass"], ["fail"])  # a copy: same key
    text = doc.read_text(encoding="utf-8")
    word = next(w for w in text.split() if w.isalpha() and len(w) > 6)
    doc.write_text(text.replace(word, word + "s", 1), encoding="utf-8")
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(cassettes), "--case", GAP_CASE,
                          "--corpus", str(root))
    case = data["sets"]["gaps"]["cases"][0]
    assert case["status"] == "stale", case["detail"]
    assert "process document docs/feature-lifecycle.md" in case["detail"]
    assert "stale" in md and code == 0  # stale is reported, not an error
    with FakeAnthropic() as server:
        code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(cassettes), "--case", GAP_CASE,
                              "--corpus", str(root), "--record", "--base-url", server.url)
        assert len(server.requests) >= 1  # re-recorded
        assert [c["status"] for c in data["sets"]["gaps"]["cases"]] in (["pass"], ["fail"])
        before = len(server.requests)
        code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(cassettes), "--case", GAP_CASE,
                              "--corpus", str(root), "--record", "--base-url", server.url)
        assert len(server.requests) == before  # up to date: replayed, not recorded again
        assert "up to date" in data["sets"]["gaps"]["cases"][0]["extra"]["recorded"]


def test_one_word_of_a_rule_message_makes_cassettes_stale(synthetic_root, tmp_path, monkeypatch):
    """The deterministic findings are given to the reviewers as facts: a rule message that
    changes by one word makes the recorded case stale, naming the facts."""
    import agent.engine
    import agent.graph

    original = agent.graph.check_document

    def reworded(doc, ctx, *a, **k):
        found = original(doc, ctx, *a, **k)
        assert found, "the case needs deterministic findings for this test"
        return [f._replace(message=f.message + " indeed") for f in found]

    need(CORPUS)
    code, data, md = _run(tmp_path, "--only", "concerns", "--cassettes", str(synthetic_root), "--case", CONCERN_CASE)
    assert [c["status"] for c in data["sets"]["concerns"]["cases"]] in (["pass"], ["fail"])
    monkeypatch.setattr(agent.graph, "check_document", reworded)
    monkeypatch.setattr(agent.engine, "check_document", reworded)
    code, data, md = _run(tmp_path, "--only", "concerns", "--cassettes", str(synthetic_root), "--case", CONCERN_CASE)
    case = data["sets"]["concerns"]["cases"][0]
    assert case["status"] == "stale", case["detail"]
    assert "facts given to" in case["detail"]


def test_a_synthetic_cassette_among_model_cassettes_is_ignored(synthetic_root, tmp_path):
    from evals import replay

    root = tmp_path / "cassettes"  # not a synthetic folder
    src = replay.cassette_path(synthetic_root, MODEL, GAP_CASE)
    dst = replay.cassette_path(root, MODEL, GAP_CASE)
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
    src = replay.cassette_path(synthetic_root, MODEL, GAP_CASE)
    other = "gaps/update_rollback_na/10-dra-devices"
    dst = replay.cassette_path(root, MODEL, other)
    dst.parent.mkdir(parents=True)
    data = yaml.safe_load(src.read_text())
    data["metadata"]["synthetic"] = False
    dst.write_text(yaml.safe_dump(data))
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(root), "--case", other)
    case = data["sets"]["gaps"]["cases"][0]
    assert case["status"] == "stale" and "VEP text" in case["detail"]  # another document: stale
    cassette = yaml.safe_load(dst.read_text())
    cassette["metadata"]["request_key"] = case["extra"]["request_key"]  # as if its key were current
    dst.write_text(yaml.safe_dump(cassette))
    code, data, md = _run(tmp_path, "--only", "gaps", "--cassettes", str(root), "--case", other)
    case = data["sets"]["gaps"]["cases"][0]
    assert case["status"] == "error" and "re-record" in case["detail"]
    assert code == 1  # a case that failed fails the run
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
    dst = replay.cassette_path(root, DEFAULT_MODEL, GAP_CASE)
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


def test_record_without_key_or_endpoint_exits_2(tmp_path, monkeypatch, capsys):
    from evals.run import main

    need(CORPUS)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    code = main(["--only", "gaps", "--record", "--cassettes", str(tmp_path / "c"), "--case", GAP_CASE,
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "ANTHROPIC_API_KEY" in err[0]
    assert not (tmp_path / "c").exists()


def test_record_without_vcrpy_exits_2(tmp_path, monkeypatch, capsys):
    import importlib.util

    from evals.run import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "vcr" else real(name, *a))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-sent")
    code = main(["--only", "concerns", "--record", "--cassettes", str(tmp_path / "c"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "pip install vcrpy" in err[0]


def test_an_llm_error_in_a_case_fails_the_run(tmp_path):
    """A case whose LLM call fails (the API answers 529 to every attempt) is an error, and the
    run exits 1 with the count in the summary."""
    from agent.llm.fake_server import FakeAnthropic
    from evals.run import main, summary_lines  # noqa: F401

    need(CORPUS)
    script = {r: [529] * 10 for r in ("design_gaps", "cross_sig", "feature_gate")}
    with FakeAnthropic(script=script) as server:
        code, data, md = _run(tmp_path, "--only", "gaps", "--record", "--base-url", server.url,
                              "--cassettes", str(tmp_path / "synthetic"), "--case", GAP_CASE)
    s = data["sets"]["gaps"]
    assert code == 1 and s["counts"]["error"] == 1
    assert "LLM call failed" in s["cases"][0]["detail"]
    assert any("gaps case(s) failed" in f for f in data["failures"])


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
    meta = replay.read_metadata(replay.cassette_path(root, MODEL, GAP_CASE))
    assert meta["recorded_via"] == "message-batches" and meta["batch_id"] == "msgbatch_1"
    assert meta["usage"]["input_tokens"] == 100 * len(fake.created)
    replayed = llm.run_llm_set("gaps", cases, corpus, llm.LlmSettings(model=MODEL, cassettes=root))
    assert [c.status for c in replayed.cases] in (["pass"], ["fail"]), replayed.cases[0].detail
    assert replayed.metrics["cases_scored"] == 1 and replayed.metrics["synthetic"] is True


def test_answers_recorded_from_the_fake_server_outside_a_synthetic_folder_are_labelled(tmp_path):
    """Recording from the fake server (``--record --base-url``) into an ordinary cassette folder
    still never reads as a model's score: the run says SYNTHETIC, the cassettes are marked so,
    and a later replay leaves them out."""
    from agent.llm.fake_server import FakeAnthropic
    from evals import replay

    need(CORPUS)
    need(HISTORY)
    cassettes = tmp_path / "model-cassettes"
    with FakeAnthropic(chatty=8) as server:
        code, data, md = _run(tmp_path, "--only", "concerns", "--record", "--base-url", server.url, "--no-judge",
                              "--cassettes", str(cassettes), "--case", CONCERN_CASE)
    s = data["sets"]["concerns"]
    assert s["counts"]["pass"] + s["counts"]["fail"] == 1
    assert s["metrics"]["synthetic"] is True and s["metrics"]["model_score"] is False
    assert "SYNTHETIC" in md
    assert replay.read_metadata(replay.cassette_path(cassettes, MODEL, CONCERN_CASE))["synthetic"] is True
    code, data, md = _run(tmp_path, "--only", "concerns", "--no-judge", "--cassettes", str(cassettes),
                          "--case", CONCERN_CASE)
    (case,) = data["sets"]["concerns"]["cases"]
    assert case["status"] == "skipped" and "not a model score" in case["detail"]
