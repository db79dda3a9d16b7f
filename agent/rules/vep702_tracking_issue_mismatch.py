"""The tracking issue and the front matter agree where both say something.

**What it checks.** The VEP's tracking issue (the issue numbered ``vep-number``), read
through the GitHub API as the repository's issue template ``.github/ISSUE_TEMPLATE/vep.md``
lays it out, against the front matter:

- **Current Feature Stage** (``Alpha``, ``Beta``, ``GA``/``Stable``) against ``stage``;
- **Proposal status** (the newer template) against ``status``;
- **Feature Gate** against ``feature-gate``;
- **Responsible SIGs**, the ``/sig …`` line after "Primary SIG:" (else the issue's
  ``sig/…`` labels), against ``owning-sig``;
- **Timeline**, "Alpha/Beta/Stable release target (x.y)" (or, in the newer template, the
  "Target: vX.Y" under each stage's checkbox), against ``milestone.alpha``,
  ``milestone.beta`` and ``milestone.ga``;
- **Reviewers** and **Approvers** (the newer template: "Should match the VEP's front matter
  ``reviewers:`` field"), against ``reviewers`` and ``approvers``;
- a *closed* tracking issue against a ``status`` still ``provisional`` or ``implementable``.

A field left empty, a placeholder (``$SIG``, ``x.y``, ``TBD``) or the template's HTML
comments say nothing and are not compared. Each disagreement is reported at the front
matter key. A pull request number or a missing issue is VEP701's; the process checks run
only with a repository and token (see VEP701).

**Why.** docs/feature-lifecycle.md: the tracking issue follows the feature "through
graduation from Alpha to GA" and the release team reads it; the template ends with "Please
keep this description up to date". When the VEP and its issue disagree, one of them is
stale and someone plans with the wrong stage, gate, SIG or release.

**Anti-pattern.** Front matter ``stage: beta``, ``milestone: {beta: "v1.6"}``; the issue
still says "Current Feature Stage: Alpha" and "Beta release target (x.y): 1.7".

**Best practice.** Change both in the same step: edit the issue description when the VEP's
stage, gate, SIG, targets or reviewers change (or the VEP, when the issue is right).
"""

from __future__ import annotations

import re

from agent.rules import LazyPattern, Problem
from agent.rules.vep206_field_value import STATUSES, is_tbd, usable
from agent.rules.vep601_target_release_mismatch import parse_version, show
from agent.rules.vep701_tracking_issue import tracking_issue

ID = "VEP702"
NAME = "tracking-issue-mismatch"
SEVERITY = "warning"
SOURCE = ("kubevirt/enhancements .github/ISSUE_TEMPLATE/vep.md (\"Please keep this description up to date\"); "
          "docs/feature-lifecycle.md, Virtualization Enhancement Proposal")
FIX = "Update the tracking issue's description, or the front matter, whichever is stale."

#: An HTML comment (the templates' instructions and examples), unclosed ones to the end; also VEP704's.
HTML_COMMENT_RE = LazyPattern(r"<!--.*?(?:-->|\Z)", re.S)
_FIELD_RE = LazyPattern(r"^\s*\*\*(?P<name>[^*\n]+?)\*\*\s*:?\s*(?P<rest>.*)$")
_SIG_CMD_RE = LazyPattern(r"^\s*/sig\s+(?P<sig>[A-Za-z0-9_-]+)\s*$")
_TARGET_RE = LazyPattern(r"^\s*[*-]?\s*(?P<stage>alpha|beta|stable|ga)\s+release\s+target[^:]*:\s*(?P<value>.*)$", re.I)
_PEOPLE_RE = LazyPattern(r"^\s*[*-]?\s*\**(?P<key>reviewers|approvers)\**\s*:?\**\s*:?\s*(?P<value>.*)$", re.I)
_CHECK_ITEM_RE = LazyPattern(r"^\s*[*-]\s*\[[ xX]\]\s*(?P<stage>alpha|beta|ga|stable)\b", re.I)
_NESTED_TARGET_RE = LazyPattern(r"^\s*[*-]\s*(?:\[[ xX]\]\s*)?target\s*(?:release)?\s*:\s*(?P<value>.*)$", re.I)
_HANDLE_RE = LazyPattern(r"@([A-Za-z0-9][A-Za-z0-9-]{0,38})")
_STAGES = {"alpha": "alpha", "beta": "beta", "ga": "ga", "stable": "ga", "general availability": "ga",
           "new": "new", "deprecated": "deprecated"}
_EMPTY = {"", "n/a", "na", "none", "tbd", "tba", "-", "?", "x.y", "$sig", "featurename"}


def _clean(value: str) -> str:
    return value.strip().strip("`*_\"' ").strip()


def parse_issue(body: str | None) -> dict:
    """The fields of a tracking issue written from the template (both layouts of
    ``.github/ISSUE_TEMPLATE/vep.md``: the one with "Alpha release target (x.y):" lines, and
    the newer one with "Proposal status", "Reviewers", "Approvers" fields and a checklist
    timeline whose stages hold "Target: vX.Y"). HTML comments (the template's instructions
    and its filled-in example) are ignored.

    Returns:
        a dict with the keys found: ``stage`` (``alpha``/``beta``/``ga``/``new``/
        ``deprecated``), ``status`` (a governance state), ``feature-gate`` (text),
        ``owning-sig`` (``sig-…``), ``milestone`` ({stage: (major, minor)}), ``reviewers`` /
        ``approvers`` (sets of lowercased logins). Placeholders and empty fields are left out.
    """
    text = HTML_COMMENT_RE.sub("", (body if isinstance(body, str) else "").replace("\r\n", "\n"))
    out: dict = {}
    field = None
    primary = False
    timeline_stage = None
    milestone: dict = {}
    for raw in text.split("\n"):
        m = _FIELD_RE.match(raw)
        if m:
            field, primary, timeline_stage = m["name"].strip().lower().rstrip(":"), False, None
            rest = _clean(m["rest"])
            if field in ("reviewers", "approvers"):
                _people(out, field, rest)
            elif rest:
                _field_value(out, field, rest)
            continue
        line = raw.strip()
        if not line:
            continue
        target = _TARGET_RE.match(raw)
        if target:
            version = parse_version(_clean(target["value"]))
            if version is not None:
                milestone.setdefault(_STAGES[target["stage"].lower()], version)
            continue
        if field == "timeline":
            item = _CHECK_ITEM_RE.match(raw)
            if item:
                timeline_stage = _STAGES.get(item["stage"].lower())
                continue
            nested = _NESTED_TARGET_RE.match(raw)
            if nested and timeline_stage in ("alpha", "beta", "ga"):
                version = parse_version(_clean(nested["value"]))
                if version is not None:
                    milestone.setdefault(timeline_stage, version)
            continue
        people = _PEOPLE_RE.match(raw)
        if people:
            _people(out, people["key"].lower(), people["value"])
            continue
        if field in ("reviewers", "approvers"):
            _people(out, field, line)
            continue
        if field == "responsible sigs":
            if line.lower().startswith("primary sig"):
                primary = True
                inline = re.search(r":\s*(?:/sig\s+)?(sig-)?([A-Za-z0-9_-]+)\s*$", line)
                if inline and inline[2].lower() not in ("sig", "$sig"):
                    out.setdefault("owning-sig", f"sig-{inline[2].lower()}")
                continue
            if line.lower().startswith("additional"):
                primary = False
                continue
            sig = _SIG_CMD_RE.match(line)
            if sig and primary and not sig["sig"].startswith("$"):
                out.setdefault("owning-sig", "sig-" + sig["sig"].lower().removeprefix("sig-"))
            continue
        if field in ("current feature stage", "feature gate", "proposal status") and field not in out:
            _field_value(out, field, _clean(line))
    if milestone:
        out["milestone"] = milestone
    for key in ("current feature stage", "feature gate", "proposal status"):
        out.pop(key, None)
    return out


def _field_value(out: dict, field: str, value: str) -> None:
    if value.lower() in _EMPTY:
        return
    if field == "current feature stage":
        stage = _STAGES.get(value.lower().rstrip("."))
        if stage:
            out.setdefault("stage", stage)
        out[field] = value
    elif field == "feature gate":
        out.setdefault("feature-gate", value.split()[0].strip("`*_,."))
        out[field] = value
    elif field == "proposal status":
        state = value.split()[0].strip("`*_,.").lower()
        if state in STATUSES:
            out.setdefault("status", state)
        out[field] = value


def _people(out: dict, key: str, value: str) -> None:
    handles = {h.lower() for h in _HANDLE_RE.findall(value)}
    if handles:
        out.setdefault(key, set()).update(handles)


def _logins(value) -> set[str] | None:
    if not isinstance(value, list):
        return None
    logins = {str(v).strip().lstrip("@").lower() for v in value if isinstance(v, str) and v.strip() and not is_tbd(v)}
    return logins or None


def check(doc, ctx):
    number, issue, _ = tracking_issue(doc, ctx)
    if number is None or not isinstance(issue, dict) or "pull_request" in issue:
        return  # no process checks, no number, an API failure (VEP701 says it) or no issue (VEP701)
    fm = usable(doc)
    if fm is None or not isinstance(fm.data, dict):
        return
    data = fm.data
    said = parse_issue(issue.get("body"))
    ref = f"tracking issue #{number}"
    stage = data.get("stage")
    if isinstance(stage, str) and stage.strip().lower() in ("alpha", "beta", "ga") \
            and said.get("stage") in ("alpha", "beta", "ga") and said["stage"] != stage.strip().lower():
        yield Problem(f"`stage: {stage.strip()}` disagrees with the {ref}, whose Current Feature Stage is "
                      f"{said['stage'] if said['stage'] != 'ga' else 'GA'}.", line=fm.line_of("stage"))
    gate = data.get("feature-gate")
    if isinstance(gate, str) and gate.strip() and "feature-gate" in said and said["feature-gate"] != gate.strip():
        yield Problem(f"`feature-gate: {gate.strip()}` disagrees with the {ref}, whose Feature Gate is "
                      f"`{said['feature-gate']}`.", line=fm.line_of("feature-gate"))
    sig = data.get("owning-sig")
    issue_sig = said.get("owning-sig") or _label_sig(issue)
    if isinstance(sig, str) and sig.strip() and issue_sig and issue_sig != sig.strip().lower():
        yield Problem(f"`owning-sig: {sig.strip()}` disagrees with the {ref}, whose primary SIG is {issue_sig}.",
                      line=fm.line_of("owning-sig"))
    block = data.get("milestone")
    if isinstance(block, dict):
        for stage_name, version in said.get("milestone", {}).items():
            mine = parse_version(block.get(stage_name)) if isinstance(block.get(stage_name), str) else None
            if mine is not None and mine != version:
                label = {"ga": "Stable"}.get(stage_name, stage_name.capitalize())
                yield Problem(f"`milestone.{stage_name}: {show(mine)}` disagrees with the {ref}, whose {label} release "
                              f"target is {show(version)}.", line=fm.line_of(f"milestone.{stage_name}"))
    for key in ("reviewers", "approvers"):
        mine = _logins(data.get(key))
        theirs = said.get(key)
        if mine and theirs and mine != theirs:
            only_vep, only_issue = sorted(mine - theirs), sorted(theirs - mine)
            parts = []
            if only_vep:
                parts.append("only the VEP lists " + ", ".join(f"@{x}" for x in only_vep))
            if only_issue:
                parts.append("only the issue lists " + ", ".join(f"@{x}" for x in only_issue))
            yield Problem(f"`{key}` disagree with the {ref}: {'; '.join(parts)}.", line=fm.line_of(key))
    status = data.get("status")
    if isinstance(status, str) and status.strip() in STATUSES and said.get("status") \
            and said["status"] != status.strip():
        yield Problem(f"`status: {status.strip()}` disagrees with the {ref}, whose Proposal status is "
                      f"{said['status']}.", line=fm.line_of("status"))
    if issue.get("state") == "closed" and isinstance(status, str) and status.strip() in ("provisional", "implementable"):
        yield Problem(f"The {ref} is closed, but `status: {status.strip()}` says the VEP is still in progress.",
                      line=fm.line_of("status"),
                      fix="Reopen the tracking issue, or set `status` to the state the VEP reached "
                          "(implemented, withdrawn, deferred, rejected, replaced).")


def _label_sig(issue: dict) -> str | None:
    """The issue's ``sig/…`` label as ``sig-…`` when it has exactly one (prow's ``/sig``
    command adds these labels; with several, which is primary is not known)."""
    labels = issue.get("labels") if isinstance(issue.get("labels"), list) else []
    sigs = sorted({"sig-" + str(lb.get("name"))[4:].lower() for lb in labels
                   if isinstance(lb, dict) and str(lb.get("name", "")).lower().startswith("sig/")})
    if len(sigs) == 1:
        return sigs[0]
    return None
