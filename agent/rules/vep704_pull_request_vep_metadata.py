"""The pull request description has the "VEP Metadata" section with the tracking issue.

**What it checks.** In a pull request (the Action), that its description (from the event,
else the GitHub API) keeps the PR template's ``### VEP Metadata`` section, and that its
"**Tracking issue**:" line names the tracking issue of each changed VEP (``#123``, or a
link ending in ``/issues/123``; the template's example, in an HTML comment, does not
count). A missing section is reported once per run, on the first VEP checked. Outside a
pull request, or without a repository and token, the rule does not run (see VEP701).

**Why.** kubevirt/enhancements' ``.github/PULL_REQUEST_TEMPLATE.md`` opens with "VEP
Metadata: Tracking issue, SIG label". The link ties the pull request to the issue that
tracks the feature through its stages (docs/feature-lifecycle.md), so that reviewers and
the release team find one from the other; a description without it breaks that link.

**Anti-pattern.** A description that replaced the template with "Adds my VEP", or a
"Tracking issue" line that still holds only the template's comment.

**Best practice.** Keep the template and fill it in:
``**Tracking issue**: https://github.com/kubevirt/enhancements/issues/123`` and
``**SIG label**: /sig compute``.
"""

from __future__ import annotations

import re

from agent.rules import LazyPattern, Problem
from agent.rules.vep701_tracking_issue import number_and_line
from agent.rules.vep702_tracking_issue_mismatch import HTML_COMMENT_RE
from agent.rules.vep703_pull_request_sig_label import pull_request

ID = "VEP704"
NAME = "pull-request-vep-metadata"
SEVERITY = "warning"
SOURCE = "kubevirt/enhancements .github/PULL_REQUEST_TEMPLATE.md, VEP Metadata (Tracking issue)"
FIX = "Restore the PR template's `### VEP Metadata` section and link the tracking issue under **Tracking issue**."

_SECTION_RE = LazyPattern(r"^\s{0,3}#{1,6}\s*VEP\s+Metadata\b", re.I | re.M)
_TRACKING_RE = LazyPattern(r"^[ \t]*[*-]?[ \t]*\**[ \t]*Tracking[ \t]+issues?[ \t]*\**[ \t]*:?\**(?P<value>.*)$", re.I | re.M)
_NUMBER_RE = LazyPattern(r"(?:/(?:issues|pull)/|#)(\d+)\b")


def tracking_numbers(body: str | None) -> set[int] | None:
    """The issue numbers on the description's "Tracking issue" line(s); ``None`` when the
    description has no such line. HTML comments are ignored."""
    text = HTML_COMMENT_RE.sub("", (body if isinstance(body, str) else "").replace("\r\n", "\n"))
    lines = list(_TRACKING_RE.finditer(text))
    if not lines:
        return None
    return {int(n) for m in lines for n in _NUMBER_RE.findall(m["value"])}


def check(doc, ctx):
    if doc.info.is_template:
        return
    pr, note = pull_request(ctx)
    if note is not None:
        yield note
    if pr is None:
        return
    body = pr.get("body") if isinstance(pr.get("body"), str) else ""
    text = HTML_COMMENT_RE.sub("", body)
    number = ctx.github.pull  # the pull request the API answered about
    if not _SECTION_RE.search(text):
        if ctx.github.once(f"VEP704 section {number}"):
            yield Problem(f"The description of pull request #{number} has no `### VEP Metadata` section "
                          "(the PR template's tracking issue and SIG label).")
        return
    vep, _ = number_and_line(doc)
    found = tracking_numbers(body)
    if not found:
        yield Problem(f"The VEP Metadata of pull request #{number} names no tracking issue"
                      + (f" (expected #{vep})." if vep else "."),
                      fix=f"Write `**Tracking issue**: https://github.com/{ctx.github.repo}/issues/{vep or '<number>'}`.")
    elif vep is not None and vep not in found:
        shown = ", ".join(f"#{n}" for n in sorted(found))
        yield Problem(f"The VEP Metadata of pull request #{number} names {shown} as tracking issue, but this VEP's "
                      f"number is {vep}.",
                      fix=f"Link the VEP's tracking issue: `https://github.com/{ctx.github.repo}/issues/{vep}` "
                          "(or correct the VEP number).")
