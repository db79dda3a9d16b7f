"""The VEP number is an issue of the repository: the VEP's tracking issue, not a pull
request.

**What it checks.** Through the GitHub API (``GET /repos/{owner}/{repo}/issues/{number}``),
that the ``vep-number`` of the front matter (for a VEP without front matter: the number its
directory starts with) is an issue of the repository the VEPs live in, and not a pull
request (the REST API serves pull requests as issues too, with a ``pull_request`` key), nor
an issue since moved to another repository.

Process checks (VEP7xx) run only where a repository and token are known: in the Action,
or with ``vep-review check --github-repo OWNER/NAME`` and ``$GITHUB_TOKEN``; otherwise they
are skipped with one line saying so. When the API fails (403, 5xx, a timeout) the run gets
one ``info`` note instead, and every other finding stays. On a VEP without front matter
that is not new (checked by its directory's number) a problem is a warning, as upstream's
validator skips such VEPs.

**Why.** docs/feature-lifecycle.md, "Virtualization Enhancement Proposal": a VEP starts
with a tracking issue made from the repository's issue template, and the VEP number *is*
that issue's number. kubevirt/enhancements' CI (``.github/scripts/validate_vep.py``) fails
a ``vep-number`` that "does not match an issue in this repo", a pull request included: the
number of the VEP's own pull request is the usual mistake.

**Anti-pattern.** ``vep-number: 317`` where #317 is the pull request that adds the VEP.

**Best practice.** Open the tracking issue first (template "Virtualization Enhancement
Proposal (VEP) Tracker"), then name the VEP ``veps/<sig>/<issue>-<name>/vep.md`` and write
``vep-number: "<issue>"``.
"""

from __future__ import annotations

from agent.rules import Problem
from agent.rules.vep206_field_value import usable, vep_number

ID = "VEP701"
NAME = "tracking-issue"
SEVERITY = "error"
SOURCE = ("docs/feature-lifecycle.md, Virtualization Enhancement Proposal (the VEP number is the tracking issue); "
          "kubevirt/enhancements .github/scripts/validate_vep.py")
#: Meta-VEP 282 and upstream's validator do not enforce on VEPs that have no front matter yet.
LEGACY_SEVERITY = "warning"
FIX = "Open the tracking issue from the VEP issue template and use its number as `vep-number` and in the directory name."


def number_and_line(doc) -> tuple[int | None, int | None]:
    """The VEP's number: the front matter's ``vep-number`` (with its line), else the number
    its directory starts with (line ``None``); ``(None, None)`` when neither is known."""
    fm = usable(doc)
    if fm is not None and isinstance(fm.data, dict):
        number = vep_number(fm.data.get("vep-number"))
        if number is not None and number > 0:
            return number, fm.line_of("vep-number")
    if doc.info.number:
        return doc.info.number, None
    return None, None


def api_failure(note: str) -> Problem:
    """The ``info`` problem for the run's first failed GitHub API request (``note``: the
    one line of :meth:`agent.github.api.ProcessContext.call`); shared by the VEP7xx rules."""
    return Problem(note, severity="info", fix="Run the check again later; the other findings are complete.")


def tracking_issue(doc, ctx) -> tuple[int | None, dict | None, Problem | None]:
    """The VEP's tracking issue as the API gives it.

    Returns:
        ``(number, issue JSON, None for no such issue, or FAILED, note)``: ``note`` is an ``info`` :class:`Problem` when
        the API failed for the first time in this run (see
        :meth:`agent.github.api.ProcessContext.call`); ``number`` is ``None`` when the
        process checks do not run (no repository) or the VEP has no number.
    """
    process = getattr(ctx, "github", None)
    if process is None or doc.info.is_template:
        return None, None, None
    number, _ = number_and_line(doc)
    if number is None:
        return None, None, None
    issue, note = process.call("issue", number)
    return number, issue, (api_failure(note) if note else None)


def check(doc, ctx):
    process = getattr(ctx, "github", None)
    number, issue, note = tracking_issue(doc, ctx)
    if number is None:
        return
    if note is not None:
        yield note
        return
    if issue is process.FAILED or (issue is not None and not isinstance(issue, dict)):
        return  # the API failed (said once in this run already), or answered something that is no issue
    _, line = number_and_line(doc)
    repo = process.repo
    if issue is None:
        yield Problem(f"VEP number {number} is not an issue of {repo}: GitHub has no issue #{number} there.",
                      line=line)
    elif "pull_request" in issue:
        yield Problem(f"VEP number {number} is a pull request of {repo}, not an issue: the VEP number is the "
                      "number of the VEP's tracking issue.", line=line,
                      fix="Use the number of the tracking issue (open one from the VEP issue template if there is "
                          "none), in `vep-number` and in the directory name.")
    else:
        where = str(issue.get("repository_url") or "")
        if where and not where.rstrip("/").lower().endswith(f"/repos/{repo.lower()}"):
            moved = "/".join(where.rstrip("/").split("/")[-2:])
            yield Problem(f"Issue #{number} has moved from {repo} to {moved}: the tracking issue must be an issue "
                          f"of {repo}.", line=line)
