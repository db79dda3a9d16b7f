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

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

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
        answered_in, fits_any_vep, quote_supports: the reviewer's self-check of the finding (the
            checking pass, docs/llm-review.md): a finding answered elsewhere, generic, or not
            supported by its quote is dropped by :func:`agent.llm.verify.verify`.
        conflicts_with: with a base version, a changed passage that the (unchanged) quote now
            contradicts; such a finding survives the change filter when this passage is changed text.
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
    answered_in: str | None = Field(default=None, description="Self-check: heading of a VEP section that already "
                                                              "answers this concern, else null.")
    fits_any_vep: bool = Field(default=False, description="Self-check: true if the concern would fit almost any VEP "
                                                          "(names nothing specific to this design).")
    quote_supports: bool = Field(default=True, description="Self-check: true if the quoted passage is what the "
                                                           "concern is about.")
    conflicts_with: str | None = Field(default=None, description="Only when reviewing a change and the quote is "
                                                                 "unchanged text: verbatim changed passage it now "
                                                                 "contradicts, else null.")

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
    """A reviewer's whole answer: a list of findings, empty when the VEP is fine.

    Attributes (besides the schema's ``findings``):
        invalid: one line per item dropped because it did not validate (see :meth:`parse_lenient`).
        salvaged: the answer was cut off (``max_tokens``) and only its complete items were kept.
    """

    model_config = ConfigDict(extra="ignore", json_schema_extra={"description": "The review's findings."})

    findings: list[LlmFinding] = Field(description="Concerns, most important first; an empty list is a good answer.")
    _invalid: list = PrivateAttr(default_factory=list)
    _salvaged: bool = PrivateAttr(default=False)

    @property
    def invalid(self) -> list[str]:
        return self._invalid

    @property
    def salvaged(self) -> bool:
        return self._salvaged

    @classmethod
    def parse_lenient(cls, data, truncated: bool = False) -> ReviewerOutput:
        """Validate an answer item by item: an invalid item is dropped (and listed in
        :attr:`invalid`) on its own, the valid ones are kept (issue 10, "partial answers").

        Args:
            data: the answer text (JSON, possibly fenced or surrounded by prose) or an already
                decoded object (the input of the output tool).
            truncated: the answer stopped at ``max_tokens``: the complete items before the cut
                are kept (:func:`salvage_items`).

        Raises:
            ValueError: the answer is unusable as a whole (no JSON object, no ``findings`` list,
                or a cut-off answer without one complete item); only then is a repair worth a call.
        """
        salvaged = False
        if isinstance(data, str):
            try:
                data = json.loads(extract_json(data))
            except (ValueError, json.JSONDecodeError) as exc:
                if not truncated:
                    raise ValueError(describe_error(exc)) from None
                data, salvaged = {"findings": salvage_items(data)}, True
                if not data["findings"]:
                    raise ValueError("the answer was cut off before its first complete finding") from None
        if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
            raise ValueError("findings: the answer has no findings list")
        kept, invalid = [], []
        for i, item in enumerate(data["findings"]):
            try:
                kept.append(LlmFinding.model_validate(item))
            except ValidationError as exc:
                invalid.append(f"findings.{i}: {describe_error(exc, limit=2)}")
        out = cls.model_construct(findings=kept)
        out._invalid, out._salvaged = invalid, salvaged
        return out

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


def salvage_items(text: str) -> list:
    """The complete items of a ``findings`` array in a cut-off JSON answer (``[]`` when none).

    ``'{"findings": [{…}, {…}, {"quote": "The ca'`` -> the first two objects.
    """
    start = text.find("[", text.find('"findings"'))
    if start < 0:
        return []
    decoder, pos, items = json.JSONDecoder(), start + 1, []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return items
        items.append(item)


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
