"""The structured answer the model must give, as pydantic models.

The JSON schema sent to the API (``output_config.format`` or the input schema of the one
output tool) is derived from :class:`ReviewerOutput`; the API's constrained decoding
ignores some JSON-schema limits (lengths, ranges), so the answer is always validated here
again, with :meth:`ReviewerOutput.parse_text`.

Validation is lenient where the fix is obvious and harmless (an unknown category becomes
``other``, a confidence outside 0..1 is clamped, an ``error`` severity is lowered to
``warning``: LLM findings never fail a check) and strict where the answer cannot be used
(not JSON, no ``findings`` list, a finding without a quote or a concern). A strict failure
triggers the client's one repair attempt.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: The human-concern categories of ``../shared/evals/README.md`` (what human reviewers raised
#: on historic VEP PRs); every LLM finding carries one.
CATEGORIES: tuple[str, ...] = (
    "template",
    "feature-gate",
    "api",
    "upgrade-rollback",
    "scalability-performance",
    "security",
    "testing",
    "alternatives",
    "scope-goals",
    "cross-sig",
    "lifecycle-graduation",
    "other",
)

Category = Literal[
    "template", "feature-gate", "api", "upgrade-rollback", "scalability-performance", "security",
    "testing", "alternatives", "scope-goals", "cross-sig", "lifecycle-graduation", "other",
]

#: Longest quote accepted, in characters (a quote points at a passage; it is not a copy).
MAX_QUOTE_CHARS = 400


class LlmFinding(BaseModel):
    """One concern raised by a reviewer (the schema's description is kept short: it is sent
    with every request).

    Attributes:
        quote: verbatim passage of the VEP the concern is about (one contiguous passage).
        section: heading of the section holding the quote, as written in the VEP.
        category: one of :data:`CATEGORIES`.
        severity: ``warning`` (a reviewer would block on it) or ``info`` (worth a look).
        concern: what is missing or wrong, one sentence.
        suggestion: what the author should do, one imperative sentence.
        confidence: 0.0-1.0, how sure the reviewer is that a human reviewer would agree.
        sig: for cross-SIG findings, the SIG concerned (``sig-network``), else ``null``.
    """

    model_config = ConfigDict(extra="ignore", json_schema_extra={"description": "One concern about the VEP."})

    quote: str = Field(description="Verbatim passage copied from the VEP document (one contiguous passage, "
                                   "10-300 characters, no ellipsis, no paraphrase).")
    section: str | None = Field(default=None, description="Heading of the VEP section holding the quote.")
    category: Category = Field(description="Concern category.")
    severity: Literal["warning", "info"] = Field(description="warning: a reviewer would ask for a change; "
                                                             "info: worth a look.")
    concern: str = Field(description="What is missing or wrong, one sentence.")
    suggestion: str = Field(description="What the author should do, one imperative sentence.")
    confidence: float = Field(description="0.0 to 1.0: how sure you are that a maintainer would agree.")
    sig: str | None = Field(default=None, description="For cross-SIG concerns, the SIG concerned, e.g. sig-storage.")

    @field_validator("category", mode="before")
    @classmethod
    def _known_category(cls, value):
        if isinstance(value, str):
            value = value.strip().lower().replace("_", "-").replace(" ", "-")
            return value if value in CATEGORIES else "other"
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _soft_severity(cls, value):
        if isinstance(value, str):
            value = value.strip().lower()
            return {"error": "warning", "warn": "warning", "note": "info", "suggestion": "info"}.get(value, value)
        return value

    @field_validator("confidence", mode="before")
    @classmethod
    def _clamp(cls, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return min(1.0, max(0.0, float(value)))
        return value

    @field_validator("quote", "concern", "suggestion")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("quote")
    @classmethod
    def _quote_length(cls, value: str) -> str:
        if len(value) > MAX_QUOTE_CHARS:
            raise ValueError(f"quote is longer than {MAX_QUOTE_CHARS} characters; quote a shorter passage")
        return value


class ReviewerOutput(BaseModel):
    """A reviewer's whole answer: a list of findings, empty when the VEP is fine."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"description": "The review's findings."})

    findings: list[LlmFinding] = Field(description="Concerns, most important first; an empty list is a good answer.")

    @classmethod
    def parse_text(cls, text: str) -> ReviewerOutput:
        """Validate a JSON answer; tolerates a markdown code fence or prose around the object
        (Anthropic-compatible servers without constrained decoding add them).

        Raises:
            pydantic.ValidationError: the answer is not a valid :class:`ReviewerOutput`.
            ValueError: there is no JSON object in ``text``.
        """
        return cls.model_validate_json(extract_json(text))

    @classmethod
    def json_schema_for_api(cls) -> dict:
        """The schema to send: pydantic's schema, made acceptable to the API's constrained
        decoding by the SDK's own transformer (``additionalProperties: false``, limits moved
        into descriptions)."""
        from anthropic import transform_schema

        return transform_schema(cls.model_json_schema())


_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n\s*```\s*$", re.S)


def extract_json(text: str) -> str:
    """The JSON object in ``text``: the whole text, the body of a code fence, or the span
    from the first ``{`` to the last ``}``.

    Raises:
        ValueError: no ``{`` … ``}`` span.
    """
    text = text.strip()
    m = _FENCE_RE.match(text)
    if m:
        text = m.group(1).strip()
    if text.startswith("{"):
        return text
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the answer holds no JSON object")
    return text[start : end + 1]


def describe_error(exc: Exception, limit: int = 5) -> str:
    """A short, model-readable description of why an answer was rejected (for the repair
    prompt and for the one-line status)."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:limit]:
            where = ".".join(str(p) for p in err.get("loc", ())) or "answer"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        more = exc.error_count() - limit
        if more > 0:
            parts.append(f"and {more} more")
        return "; ".join(parts)
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at position {exc.pos})"
    return str(exc) or type(exc).__name__
