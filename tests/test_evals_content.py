"""Content matching of the ``concerns`` set (issue 11): the baselines, a synthetic good
reviewer, ``--split``, and the judge's recorded call.

The baselines run offline (no key, no cassette). The "good reviewer" is a hand-written
findings file under ``tests/fixtures/synthetic/`` (named so): it is not a model's score, it
shows that the deterministic matcher tells a reviewer that raises the concerns' subjects from
the content-free shotgun.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import CORPUS, HISTORY, ROOT, need

GOOD = ROOT / "tests" / "fixtures" / "synthetic" / "good_reviewer_findings.yaml"
DEV = CORPUS.parent.parent / "evals" / "human-concerns-dev.jsonl"


def _run(tmp_path, *args):
    from evals.run import main

    out = tmp_path / "out"
    code = main(["--only", "concerns", *args, "--out", str(out)])
    return code, json.loads((out / "report.json").read_text()), (out / "report.md").read_text()


@pytest.fixture()
def shared():
    need(CORPUS)
    need(HISTORY)
    need(DEV)


def test_shotgun_baseline_scores_at_most_10_percent(shared, tmp_path, capsys, monkeypatch):
    """One generic "This part needs more detail." per category, quoting the first line of the
    category's home section, offline and without a key: recall <= 10% with the content
    matcher (it scored 84% when only category and section were compared)."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code, data, md = _run(tmp_path, "--baseline", "shotgun", "--cassettes", str(tmp_path / "none"))
    out = capsys.readouterr().out
    s = data["sets"]["concerns"]
    m = s["metrics"]
    assert code == 0 and m["baseline"] == "shotgun" and m["model_score"] is False
    assert m["cases_scored"] >= 15 and m["concerns_scored"] >= 20
    assert m["llm_findings"] >= m["cases_scored"] * 10  # it did say something everywhere
    assert m["recall"] <= 0.10, [p for c in s["cases"] for p in c["extra"]["concerns"] if p["matched"]]
    assert "baseline shotgun: recall" in out
    assert not (tmp_path / "none").exists()  # no cassette read or written


def test_a_reviewer_that_restates_its_quotes_scores_at_most_10_percent(shared, tmp_path, capsys):
    """The parrot says nothing but repeats the VEP's words ("The passage “…” leaves a question
    open.", as the fake server's chatty mode does): words in quotation marks are not the
    finding's own, so it matches no more than the shotgun (it scored 24% when they counted)."""
    from evals.matching import own_terms

    assert own_terms("The passage “live migration of the VM” is slow.", None) == {"passage", "slow"}
    assert "virt-handler" in own_terms('What does "virt-handler" do on upgrade?', None)  # a quoted name stays
    code, data, md = _run(tmp_path, "--baseline", "parrot")
    m = data["sets"]["concerns"]["metrics"]
    assert code == 0 and m["baseline"] == "parrot" and m["llm_findings"] >= m["cases_scored"] * 10
    assert m["recall"] <= 0.10
    assert "baseline parrot: recall" in capsys.readouterr().out


def test_no_findings_baseline(shared, tmp_path, capsys):
    code, data, md = _run(tmp_path, "--baseline", "none")
    m = data["sets"]["concerns"]["metrics"]
    assert code == 0 and m["recall"] == 0.0 and m["precision"] is None and m["llm_findings"] == 0
    assert "baseline none: recall 0.0%" in capsys.readouterr().out


def test_a_synthetic_good_reviewer_scores_well_above_the_shotgun(shared, tmp_path, capsys):
    """Findings written by hand about the subjects of the concerns (a SYNTHETIC fixture):
    recall and precision far above the shotgun's, and labelled synthetic."""
    code, data, md = _run(tmp_path, "--baseline", str(GOOD))
    good = data["sets"]["concerns"]["metrics"]
    out = capsys.readouterr().out
    code, data, md = _run(tmp_path, "--baseline", "shotgun")
    shotgun = data["sets"]["concerns"]["metrics"]
    assert good["synthetic"] is True and good["model_score"] is False and "SYNTHETIC" in out
    assert good["recall"] >= 0.8 and good["recall"] >= shotgun["recall"] + 0.6
    assert good["precision"] >= 0.8 and good["precision"] > (shotgun["precision"] or 0) + 0.6
    for cat, row in good["per_category"].items():  # per category, both figures
        assert "recall" in row and "precision" in row, cat


def test_the_good_reviewer_needs_its_subjects(shared, tmp_path):
    """The same good findings moved to another VEP (subjects no longer the concerns') match
    (almost) nothing: the matcher compares content, not volume."""
    import yaml

    data = yaml.safe_load(GOOD.read_text())
    keys = list(data["findings"])
    shifted = {"synthetic": True, "findings": {keys[i]: data["findings"][keys[i - 1]] for i in range(len(keys))}}
    path = tmp_path / "synthetic" / "shifted.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(shifted))
    code, report, md = _run(tmp_path, "--baseline", str(path))
    assert report["sets"]["concerns"]["metrics"]["recall"] <= 0.10


def test_the_report_says_it_is_the_development_split(shared, tmp_path):
    code, data, md = _run(tmp_path, "--baseline", "shotgun")
    assert data["sets"]["concerns"]["metrics"]["dev_split"] is True
    assert "DEVELOPMENT split" in md and "Caveat: the human concerns are a partial record" in md
    assert "baseline shotgun" in md


def test_split_reads_another_concerns_file(shared, tmp_path):
    """--split: a concerns file of the same schema, without a VEP list beside it (each VEP's
    earliest historic version is reviewed); the report does not call it the development split."""
    lines = [json.loads(x) for x in DEV.read_text().splitlines() if x.strip()][:3]
    split = tmp_path / "held-out.jsonl"
    split.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    code, data, md = _run(tmp_path, "--baseline", str(GOOD), "--split", str(split))
    s = data["sets"]["concerns"]
    assert s["metrics"]["dev_split"] is False and "DEVELOPMENT split" not in md
    assert s["metrics"]["concerns_scored"] == 3 and s["metrics"]["recall"] >= 2 / 3
    from evals.run import main

    assert main(["--only", "concerns", "--baseline", "none", "--split", str(tmp_path / "missing.jsonl"),
                 "--out", str(tmp_path / "o")]) == 2


def test_the_judge_call_is_recorded_in_the_case_cassette_and_replayed(shared, tmp_path, monkeypatch):
    """--record makes one judge call per VEP (structured output, header
    x-vep-review-reviewer: judge) into the case's cassette; replay answers it offline and the
    judge's figures are reported beside the content matcher's."""
    import agent.llm.fake_server as fake
    from agent.llm.fake_server import FakeAnthropic
    from evals import replay

    real = fake.synthetic_answer
    seen = []

    def answer(body, reviewer, unverifiable=False):
        if reviewer != "judge":
            return real(body, reviewer, unverifiable)
        seen.append(body)
        assert body["output_config"]["format"]["type"] == "json_schema"
        return {"pairs": [{"concern": 0, "finding": 0, "same_concern": True, "reason": "synthetic verdict"}]}

    monkeypatch.setattr(fake, "synthetic_answer", answer)
    root = tmp_path / "synthetic"
    case = "concerns/sig-compute/10"
    from evals import llm
    from evals.corpus import Corpus

    corpus = Corpus.open(CORPUS)
    with FakeAnthropic() as server:
        settings = llm.LlmSettings(model="fake-model", cassettes=root, record=True, base_url=server.url, judge=True)
        recorded = llm.run_llm_set("concerns", llm.concern_cases(corpus), corpus, settings, selected=[case])
    assert [c.status for c in recorded.cases] in (["pass"], ["fail"]), recorded.cases[0].detail
    assert len(seen) == 1 and "<human_concerns>" in seen[0]["messages"][0]["content"][0]["text"]
    assert "x-vep-review-reviewer" in replay.cassette_path(root, "fake-model", case).read_text()
    replayed = llm.run_llm_set("concerns", llm.concern_cases(corpus), corpus,
                               llm.LlmSettings(model="fake-model", cassettes=root, judge=True), selected=[case])
    m = replayed.metrics
    assert m["judge"] is True and m["judge_recall"] == 1.0, replayed.cases[0].detail
    assert "judge" in replayed.cases[0].detail and len(seen) == 1  # replayed, not asked again
    assert m["baselines"]["shotgun"]["cases_scored"] == 1


def test_a_judge_answer_that_is_not_the_schema_is_an_error():
    from evals.judge import JudgeError, parse_answer

    assert parse_answer('{"pairs": [{"concern": 0, "finding": 1, "same_concern": true, "reason": "r"}]}', 1, 2) == \
        {(0, 1): True}
    with pytest.raises(JudgeError):
        parse_answer('{"findings": []}', 1, 1)


def test_the_kept_threshold_is_the_one_the_development_split_chose(shared):
    """evals.calibrate's rule: among thresholds whose shotgun and parrot recalls are at most 10%, the one
    with the highest paraphrase recall minus cross-VEP false matches is the one in use."""
    from evals.calibrate import figures
    from evals.corpus import Corpus
    from evals.matching import OWN_WORDS, THRESHOLD

    rows = figures(Corpus.open(CORPUS))
    eligible = [r for r in rows if r["shotgun_recall"] <= 0.10 and r["parrot_recall"] <= 0.10]
    best = max(eligible, key=lambda r: (r["paraphrase_recall"] - r["cross_vep_false_matches"], -r["threshold"]))
    assert (best["threshold"], best["own_words"]) == (THRESHOLD, OWN_WORDS), rows
    kept = next(r for r in rows if (r["threshold"], r["own_words"]) == (THRESHOLD, OWN_WORDS))
    assert kept["paraphrase_recall"] >= 0.7 and kept["cross_vep_false_matches"] <= 0.02
