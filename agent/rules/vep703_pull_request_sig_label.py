"""The pull request carries the owning SIG's label.

**What it checks.** In a pull request (the Action, where the event names it), that the pull
request has the ``sig/<name>`` label of each changed VEP's owning SIG (``owning-sig:
sig-compute`` -> ``sig/compute``; without front matter, the SIG directory the VEP is in),
as the event that started the run shows them (a ``pull_request`` push, or a ``/vep-review``
comment: a label added since counts at the next run), else through the GitHub API
(``GET /repos/{owner}/{repo}/pulls/{number}``). Meta-VEPs and SIG names that do not start with ``sig-`` are
not checked. Outside a pull request (``vep-review check --github-repo``) the rule does not
run; without a repository and token no process check runs (see VEP701).

**Why.** The PR template's "VEP Metadata" asks for the "SIG label" (``/sig $SIG``); the
label is how the owning SIG's reviewers find the VEPs they must review and how the release
team filters the VEPs of a SIG for the VEP Freeze. A VEP pull request without it is easily
missed by the very SIG that owns it.

**Anti-pattern.** A pull request adding ``veps/sig-network/310-passt/vep.md`` labelled only
``kind/enhancement``.

**Best practice.** Comment ``/sig network`` on the pull request (and write the same line
under "SIG label" in its description).
"""

from __future__ import annotations

from agent.rules import Problem
from agent.rules.vep206_field_value import usable
from agent.rules.vep701_tracking_issue import api_failure

ID = "VEP703"
NAME = "pull-request-sig-label"
SEVERITY = "warning"
SOURCE = "kubevirt/enhancements .github/PULL_REQUEST_TEMPLATE.md, VEP Metadata (SIG label)"
FIX = "Comment `/sig <name>` on the pull request to add the owning SIG's label."


def owning_sig(doc) -> str | None:
    """The owning SIG: front matter ``owning-sig``, else the VEP's SIG directory;
    ``None`` when it is not a ``sig-…`` name."""
    fm = usable(doc)
    sig = fm.data.get("owning-sig") if fm is not None and isinstance(fm.data, dict) else None
    if not isinstance(sig, str) or not sig.strip():
        sig = doc.info.sig_dir
    sig = (sig or "").strip().lower()
    return sig if sig.startswith("sig-") and len(sig) > 4 else None


def pull_request(ctx) -> tuple[dict | None, Problem | None]:
    """The pull request under review as the API gives it, or ``None`` (none known, or the
    API failed: then the first failure of the run comes back as an ``info`` problem)."""
    process = getattr(ctx, "github", None)
    if process is None or process.pull is None:
        return None, None
    pr, note = process.call("pull", process.pull)
    if note:
        return None, api_failure(note)
    return (pr if isinstance(pr, dict) else None), None


def check(doc, ctx):
    if doc.info.is_template or doc.info.is_meta:
        return
    pr, note = pull_request(ctx)
    if note is not None:
        yield note
    if pr is None:
        return
    sig = owning_sig(doc)
    if sig is None:
        return
    label = f"sig/{sig[4:]}"
    labels = pr.get("labels") if isinstance(pr.get("labels"), list) else []
    labels = {str(lb.get("name", "")).lower() for lb in labels if isinstance(lb, dict)}
    if label not in labels:
        shown = ", ".join(f"`{x}`" for x in sorted(labels)) or "none"
        yield Problem(f"Pull request #{ctx.github.pull} has no `{label}` label for the owning SIG "
                      f"{sig} (its labels: {shown}).", fix=f"Comment `/sig {sig[4:]}` on the pull request.")
