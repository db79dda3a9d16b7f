"""Helpers of the process-check tests (VEP7xx): a VEP with front matter, a tracking issue
written from the repository's issue template, a context that asks the fake GitHub server."""

from __future__ import annotations

from agent.github.api import process_context
from tests.conftest import CORPUS, make_ctx, make_doc

REPO = "kubevirt/enhancements"
ISSUE_TEMPLATE = CORPUS / ".github" / "ISSUE_TEMPLATE" / "vep.md"
PR_TEMPLATE = CORPUS / ".github" / "PULL_REQUEST_TEMPLATE.md"

FRONT_MATTER = {
    "title": "Example feature",
    "vep-number": '"123"',
    "creation-date": '"2025-01-31"',
    "status": "implementable",
    "authors": '["@jdoe"]',
    "owning-sig": "sig-compute",
    "participating-sigs": "[sig-storage]",
    "reviewers": '["@rev1", "@rev2"]',
    "approvers": '["@app"]',
    "feature-gate": "ExampleFeature",
    "stage": "beta",
    "milestone": '{alpha: "v1.8", beta: "v1.9"}',
}


def vep(number: int = 123, sig: str = "sig-compute", **changes) -> object:
    """A VEP at ``veps/<sig>/<number>-example/vep.md``; ``changes`` replace front matter
    values (``None`` removes the key; keys with ``_`` for ``-``)."""
    fields = dict(FRONT_MATTER, **{"vep-number": f'"{number}"', "owning-sig": sig})
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    front = "\n".join(f"{k}: {v}" for k, v in fields.items())
    return make_doc(f"---\n{front}\n---\n# VEP #{number}: Example feature\n\n## Overview\n\nText.\n",
                    f"veps/{sig}/{number}-example/vep.md")


def filled_issue(stage="Beta", gate="ExampleFeature", sig="compute", alpha="1.8", beta="1.9", stable="",
                 extra="") -> str:
    """A tracking issue as the issue template of ../shared lays it out (a copy of its fields
    when the corpus is absent), filled in."""
    if ISSUE_TEMPLATE.exists():
        text = ISSUE_TEMPLATE.read_text().split("---", 2)[2]  # the body, without the template's own header
    else:  # the fields of .github/ISSUE_TEMPLATE/vep.md
        text = ("**Current Feature Stage**:\n\n<!-- one of New, Alpha, Beta, GA or Deprecated -->\n\n"
                "**Feature Gate**:\n\n**Responsible SIGs**:\n\nPrimary SIG:\n/sig $SIG\n\n"
                "Additional SIGs (optional):\n/sig $SIG\n\n**Timeline**:\n\n"
                "* Alpha release target (x.y):\n* Beta release target (x.y):\n* Stable release target (x.y):\n")
    text = text.replace("**Current Feature Stage**:\n", f"**Current Feature Stage**: {stage}\n")
    text = text.replace("**Feature Gate**:\n", f"**Feature Gate**: {gate}\n")
    text = text.replace("Primary SIG:\n/sig $SIG", f"Primary SIG:\n/sig {sig}")
    text = text.replace("Additional SIGs (optional):\n/sig $SIG", "Additional SIGs (optional):\n/sig storage")
    text = text.replace("* Alpha release target (x.y):", f"* Alpha release target (x.y): {alpha}")
    text = text.replace("* Beta release target (x.y):", f"* Beta release target (x.y): {beta}")
    text = text.replace("* Stable release target (x.y):", f"* Stable release target (x.y): {stable}")
    return text + extra


def pr_body(tracking: str = "https://github.com/kubevirt/enhancements/issues/123", sig: str = "/sig compute") -> str:
    """A pull request description from the PR template, filled in."""
    text = (PR_TEMPLATE.read_text() if PR_TEMPLATE.exists() else
            "### VEP Metadata\n\n**Tracking issue**: <!-- For example, https://github.com/kubevirt/enhancements/pull/2 -->\n"
            "**SIG label**: <!-- For example, /sig $SIG -->\n\n### What this PR does\n")
    text = text.replace("**Tracking issue**:", f"**Tracking issue**: {tracking}")
    return text.replace("**SIG label**:", f"**SIG label**: {sig}")


def process_ctx(fake, pull: int | None = None, **kwargs):
    """A check context whose process checks ask ``fake`` (a started FakeGitHub)."""
    process, skipped = process_context(fake.repo, "test-token", fake.url, pull)
    assert skipped is None
    return make_ctx(github=process, **kwargs)
