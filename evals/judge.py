"""The judge: one model call per VEP deciding, per (human concern, LLM finding) pair, whether
the finding raises the same concern.

The deterministic matcher (:mod:`evals.matching`) compares terms; the judge compares meaning.
Both are reported (docs/evals.md). The judge's call is made with the case's review, inside
the case's cassette, so it is recorded with ``--record`` and replayed offline like every other
request (it carries the header ``x-vep-review-reviewer: judge``). It asks for structured
output (``output_config.format``, JSON schema :data:`SCHEMA`); its instructions are
``evals/prompts/judge.md`` (part of the cassette key, :mod:`evals.requestkey`).

A VEP with no LLM finding needs no call: every pair is "not the same".
"""

from __future__ import annotations

import json
from pathlib import Path

from agent.findings import Finding

PROMPT_FILE = Path(__file__).resolve().parent / "prompts" / "judge.md"
JUDGE_HEADER_VALUE = "judge"
MAX_TOKENS = 4000

#: The judge's output: one entry per (concern, finding) pair.
SCHEMA = {
    "type": "object",
    "properties": {
        "pairs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "concern": {"type": "integer"},
                    "finding": {"type": "integer"},
                    "same_concern": {"type": "boolean"},
                    "reason": {"type": "string"},
                },
                "required": ["concern", "finding", "same_concern", "reason"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["pairs"],
    "additionalProperties": False,
}


class JudgeError(Exception):
    """The judge's call failed or its answer is not the schema (``str(exc)``: one line)."""


def build_params(model: str, vep_path: str, concerns: list[dict], findings: list[Finding]) -> dict:
    """The Messages API body of the judge's call for one VEP.

    Args:
        model: model ID.
        vep_path: the VEP's repository path (shown to the judge).
        concerns: human concerns (``category``, ``summary``, ``quote``, ``cross_sig``).
        findings: the reviewer's LLM findings.
    """
    human = [{"n": i, "category": c.get("category"), "summary": c.get("summary"), "quote": c.get("quote"),
              **({"other_sig": c["cross_sig"]} if c.get("cross_sig") else {})} for i, c in enumerate(concerns)]
    found = [{"n": i, "category": f.category, "section": f.section, "quote": f.quote, "concern": f.message,
              "fix": f.fix} for i, f in enumerate(findings)]
    user = (f"VEP: {vep_path}\n\n<human_concerns>\n{json.dumps(human, indent=1, ensure_ascii=False)}\n</human_concerns>\n\n"
            f"<reviewer_findings>\n{json.dumps(found, indent=1, ensure_ascii=False)}\n</reviewer_findings>\n\n"
            f"Judge all {len(human) * len(found)} pairs.")
    return {"model": model, "max_tokens": MAX_TOKENS,
            "system": [{"type": "text", "text": PROMPT_FILE.read_text(encoding="utf-8")}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": user}]}],
            "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}}}


def parse_answer(text: str, n_concerns: int, n_findings: int) -> dict[tuple[int, int], bool]:
    """(concern, finding) -> same concern, from the judge's JSON answer; pairs it did not
    answer count as not the same.

    Raises:
        JudgeError: not JSON, or not the schema.
    """
    try:
        data = json.loads(text)
        pairs = data["pairs"]
        out: dict[tuple[int, int], bool] = {}
        for p in pairs:
            ci, fi, same = p["concern"], p["finding"], p["same_concern"]
            if not (isinstance(ci, int) and isinstance(fi, int) and isinstance(same, bool)):
                raise TypeError("concern and finding must be integers, same_concern a boolean")
            if 0 <= ci < n_concerns and 0 <= fi < n_findings:
                out[(ci, fi)] = out.get((ci, fi), False) or same
        return out
    except (ValueError, KeyError, TypeError) as exc:
        raise JudgeError(f"the judge's answer is not the schema ({type(exc).__name__}: {str(exc)[:120]})") from None


def judge(model: str, vep_path: str, concerns: list[dict], findings: list[Finding], *, api_key: str,
          base_url: str | None, max_retries: int) -> tuple[dict[tuple[int, int], bool], dict]:
    """Ask the judge about every (concern, finding) pair of one VEP.

    Returns:
        (verdicts, usage): ``verdicts[(concern index, finding index)]`` is true when the
        finding raises the same concern; ``usage`` has the call's token counts (empty when no
        call was needed).

    Raises:
        JudgeError: the call failed (one line), or its answer is invalid.
    """
    if not findings or not concerns:
        return {}, {}
    import anthropic

    client = anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=120.0)
    try:
        msg = client.messages.create(**build_params(model, vep_path, concerns, findings),
                                     extra_headers={"x-vep-review-reviewer": JUDGE_HEADER_VALUE})
    except Exception as exc:  # noqa: BLE001 - any failure of the call is one line in the report
        raise JudgeError(f"the judge's call failed: {type(exc).__name__}: {' '.join(str(exc).split())[:160]}") from None
    finally:
        client.close()
    text = "".join(getattr(b, "text", "") for b in msg.content if getattr(b, "type", None) == "text")
    u = msg.usage
    usage = {"input_tokens": u.input_tokens or 0, "output_tokens": u.output_tokens or 0,
             "cache_creation_input_tokens": getattr(u, "cache_creation_input_tokens", 0) or 0,
             "cache_read_input_tokens": getattr(u, "cache_read_input_tokens", 0) or 0}
    return parse_answer(text, len(concerns), len(findings)), usage
