"""``--output-format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
(validated against the OASIS schema in tests/test_sarif.py).

One run, tool ``vep-review``:

- every rule as a ``reportingDescriptor``: ``shortDescription`` (its summary),
  ``fullDescription`` and ``help`` (its whole documentation, as text and as markdown),
  ``helpUri`` (the rule's module, whose docstring that documentation is), its default level
  and its source; the LLM reviewers' rules are added as their findings name them;
- one ``result`` per finding: ``ruleId``, ``ruleIndex``, ``level`` (error / warning / note),
  the message (fix appended), one physical location whose URI is the repository-relative
  path, percent-encoded, relative to ``uriBaseId`` ``%SRCROOT%`` (the root of the checked
  repository), with ``region.startLine`` always (1 for a finding about the whole file, as
  code scanning requires a line), ``partialFingerprints`` (stable across edits that move
  the finding: rule, path, section and message, not the line) and ``properties`` (section,
  source, fix; for LLM findings the verbatim quote, the confidence, the reviewer and the
  concern category);
- one ``invocation``: whether the run succeeded, with ``toolExecutionNotifications`` for
  inputs that could not be read and for the LLM review's status (``review``: ran, skipped
  and why, failed), and the model usage in its properties.
"""

from __future__ import annotations

import hashlib
import json
from typing import TextIO
from urllib.parse import quote

from agent import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/kubevirt/vep-review"
#: Where the rules' modules are read (``helpUri``).
RULES_URI = INFORMATION_URI + "/blob/main/agent/rules/"
URI_BASE_ID = "%SRCROOT%"
#: The key of vep-review's own partial fingerprint (versioned: a change of what it hashes bumps it).
FINGERPRINT_KEY = "vepReviewFinding/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def rule_help_uri(rule) -> str:
    """The rule's module in the repository: ``agent/rules/vepNNN_<name>.py``."""
    return f"{RULES_URI}{rule.id.lower()}_{rule.name.replace('-', '_')}.py"


def doc_url(rule_id: str) -> str:
    """Where rule ``rule_id`` is documented: its module (:func:`rule_help_uri`) for a
    deterministic rule, docs/llm-review.md for an LLM one (``LLM101``), the rules folder
    for an ID without a rule (``VEP000``)."""
    if rule_id.upper().startswith("LLM"):
        return INFORMATION_URI + "/blob/main/docs/llm-review.md"
    from agent.rules import get_rule

    rule = get_rule(rule_id)
    return rule_help_uri(rule) if rule is not None else RULES_URI.rstrip("/")


def artifact_uri(path: str) -> str:
    """A repository-relative path as a SARIF relative URI reference: POSIX separators,
    percent-encoded (spaces, ``#``, ``%``, non-ASCII as UTF-8)."""
    return quote(path.replace("\\", "/").lstrip("/"), safe="/")


def fingerprint(f) -> str:
    """Hex SHA-256 of what identifies a finding across edits that move it: rule, path,
    section and message (whitespace collapsed), not the line."""
    key = "\x1f".join((f.rule, f.path, f.section or "", " ".join(f.message.split())))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _descriptor(rule) -> dict:
    doc = rule.doc.strip()
    markdown = doc.replace("``", "`")
    return {"id": rule.id, "name": rule.name,
            "shortDescription": {"text": rule.summary.replace("``", "`")},
            "fullDescription": {"text": doc},
            "help": {"text": doc, "markdown": f"**{rule.id} {rule.name}** ({rule.severity})\n\n{markdown}\n\n"
                                              f"Source: {rule.source.replace('``', '`')}"},
            "helpUri": rule_help_uri(rule),
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"source": rule.source, "family": rule.family,
                           "tags": ["vep", rule.family]}}


def _llm_descriptor(f) -> dict:
    what = f.category or "design review"
    text = (f"Found by vep-review's LLM reviewer ({what}). The quote is verified against the VEP and its line "
            "computed by vep-review; the judgement is the model's, to be weighed by a SIG reviewer.")
    return {"id": f.rule, "name": f.name, "shortDescription": {"text": f.name},
            "fullDescription": {"text": text}, "help": {"text": text, "markdown": text},
            "helpUri": doc_url(f.rule),
            "defaultConfiguration": {"level": _LEVEL[f.severity.value]},
            "properties": {"origin": "llm", "tags": ["vep", "llm"]}}


def _result(f, index: int) -> dict:
    text = f.message + (f" Fix: {f.fix}" if f.fix else "")
    location = {"artifactLocation": {"uri": artifact_uri(f.path), "uriBaseId": URI_BASE_ID},
                "region": {"startLine": f.line if f.line and f.line > 0 else 1}}
    props: dict = {"origin": f.origin}
    for key in ("section", "source", "fix", "category", "quote", "confidence"):
        value = getattr(f, key)
        if value not in (None, ""):
            props[key] = value
    extra = f.extra or {}
    if extra.get("reviewer"):
        props["reviewer"] = extra["reviewer"]
    if not f.line:
        props["fileLevel"] = True
    return {"ruleId": f.rule, "ruleIndex": index, "level": _LEVEL[f.severity.value], "message": {"text": text},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
            "properties": props}


def _notification(text: str, level: str, descriptor: str, path: str | None = None) -> dict:
    note = {"level": level, "message": {"text": text}, "descriptor": {"id": descriptor}}
    if path:
        note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path),
                                                                         "uriBaseId": URI_BASE_ID}}}]
    return note


def _status_level(status: str) -> str:
    low = status.lower()
    return "warning" if any(word in low for word in ("fail", "error", "timed out", "timeout")) else "note"


def report_to_sarif(report) -> dict:
    """The SARIF log for ``report`` (:class:`agent.engine.Report`) as a dict."""
    from agent.rules import all_rules

    rules = [_descriptor(r) for r in all_rules()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in report.findings:
        if f.rule not in index:  # LLM reviewers' rules, the internal-error pseudo-rule
            index[f.rule] = len(rules)
            rules.append(_llm_descriptor(f))
        results.append(_result(f, index[f.rule]))
    notifications = [_notification(fr.error, "error", "unreadable-input", fr.path) for fr in report.files if fr.error]
    notifications += [_notification(err, "error", "input-error") for err in report.errors]
    if report.llm_status:
        notifications.append(_notification(f"LLM review: {report.llm_status}", _status_level(report.llm_status),
                                           "llm-review"))
    invocation: dict = {"executionSuccessful": not notifications or all(n["level"] != "error" for n in notifications)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if report.usage:
        invocation["properties"] = {"usage": report.usage}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "vep-review", "version": __version__, "semanticVersion": __version__,
                                      "informationUri": INFORMATION_URI, "rules": rules}},
                  "invocations": [invocation],
                  "columnKind": "unicodeCodePoints",
                  "results": results}],
    }


def render_sarif(report, out: TextIO) -> None:
    """Write the SARIF log, indented."""
    json.dump(report_to_sarif(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
