"""The model's answer as pydantic models (agent/llm/schema.py)."""

import json

import pytest
from pydantic import ValidationError

from agent.llm.schema import CATEGORIES, ReviewerOutput, describe_error, extract_json


def _finding(**over):
    f = {"quote": "The cache is rebuilt on restart.", "section": "Design", "category": "api", "severity": "warning",
         "concern": "c.", "suggestion": "s.", "confidence": 0.7, "sig": None}
    f.update(over)
    return f


def test_valid_answer_and_empty_list():
    out = ReviewerOutput.parse_text(json.dumps({"findings": [_finding()]}))
    assert out.findings[0].category == "api"
    assert ReviewerOutput.parse_text('{"findings": []}').findings == []


def test_lenient_coercions():
    out = ReviewerOutput.model_validate({"findings": [_finding(category="Upgrade Rollback", severity="error", confidence=3),
                                                      _finding(category="made-up", severity="note", confidence=-1)]})
    a, b = out.findings
    assert (a.category, a.severity, a.confidence) == ("upgrade-rollback", "warning", 1.0)
    assert (b.category, b.severity, b.confidence) == ("other", "info", 0.0)


@pytest.mark.parametrize("bad", [
    {"findings": [_finding(quote="  ")]},
    {"findings": [_finding(quote=42)]},
    {"findings": "none"},
    {"other": []},
    {"findings": [{k: v for k, v in _finding().items() if k != "concern"}]},
    {"findings": [_finding(quote="x" * 500)]},
])
def test_strict_failures(bad):
    with pytest.raises(ValidationError) as info:
        ReviewerOutput.model_validate(bad)
    assert describe_error(info.value)


def test_extract_json_from_fence_and_prose():
    assert extract_json('```json\n{"findings": []}\n```') == '{"findings": []}'
    assert extract_json('Here it is: {"findings": []} done') == '{"findings": []}'
    with pytest.raises(ValueError):
        extract_json("no json here")


def test_api_schema_is_closed_and_lists_the_categories():
    schema = ReviewerOutput.json_schema_for_api()
    assert schema["additionalProperties"] is False
    finding = schema["$defs"]["LlmFinding"]
    assert finding["additionalProperties"] is False
    assert set(finding["properties"]["category"]["enum"]) == set(CATEGORIES)
    assert "quote" in finding["required"]
