"""The one sticky PR comment: its hidden markers, the result cache key, and the comment text.

The comment starts with two hidden HTML comments::

    <!-- vep-review:sticky -->
    <!-- vep-review:key head=<sha> config=<hash> mode=<full|check> llm=<ok|skipped|failed> -->

The first finds the comment again (only among comments written by the workflow's own
account, so that nobody can plant a fake one); the second is the result cache: a request
for the same head commit, configuration (base-branch files, vep-review version, prompts,
model, labels) and mode reuses the comment instead of paying for another review. A full
review whose LLM part did not complete is not reused; a complete full review also answers
a later ``check`` request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STICKY_MARKER = "<!-- vep-review:sticky -->"
_KEY_RE = re.compile(r"<!-- vep-review:key ([^>]*?) -->")


@dataclass(frozen=True)
class CacheKey:
    """What a result depends on.

    Attributes:
        head: head commit SHA.
        config: hash of the configuration (see :func:`agent.github.run.config_hash`).
        mode: ``full`` or ``check``.
        llm: ``ok`` (the LLM part completed), ``skipped`` (check mode) or ``failed``.
    """

    head: str
    config: str
    mode: str
    llm: str = "skipped"

    def marker(self) -> str:
        """The hidden HTML comment."""
        return f"<!-- vep-review:key head={self.head} config={self.config} mode={self.mode} llm={self.llm} -->"

    @classmethod
    def parse(cls, body: str) -> CacheKey | None:
        """The key in a comment body, or ``None``."""
        m = _KEY_RE.search(body or "")
        if not m:
            return None
        fields = dict(part.split("=", 1) for part in m.group(1).split() if "=" in part)
        if not {"head", "config", "mode"} <= fields.keys():
            return None
        return cls(fields["head"], fields["config"], fields["mode"], fields.get("llm", "skipped"))

    def satisfies(self, wanted: CacheKey) -> bool:
        """Whether a stored result with this key answers the request ``wanted``."""
        if self.head != wanted.head or self.config != wanted.config:
            return False
        if self.mode == wanted.mode:
            return self.mode == "check" or self.llm == "ok"
        return self.mode == "full" and self.llm == "ok" and wanted.mode == "check"


def find_sticky(issue, bot_login: str):
    """The sticky comment on ``issue`` (a PyGithub ``Issue``), or ``None``: the first comment
    holding :data:`STICKY_MARKER` whose author is ``bot_login`` (case-insensitive)."""
    for comment in issue.get_comments():
        user = comment.user
        login = (user.login if user is not None else "") or ""
        if login.lower() == bot_login.lower() and STICKY_MARKER in (comment.body or ""):
            return comment
    return None


def upsert_sticky(issue, sticky, body: str):
    """Edit ``sticky`` in place (``PATCH``), or create the comment when there is none
    (``POST``). Returns the comment."""
    if sticky is not None:
        sticky.edit(body)
        return sticky
    return issue.create_comment(body)


def config_error_body(message: str, base: str) -> str:
    """The sticky comment when the base branch's vep-review configuration cannot be read:
    the reason (inert: shown as code) and where to fix it. It carries no cache key, so the
    next request tries again."""
    from agent.output.markdown import code_block

    return (f"{STICKY_MARKER}\n### vep-review: not run\n\n"
            f"The vep-review configuration of the base branch (`{short(base)}`) is invalid, so the VEP "
            f"documents of this pull request were not reviewed:\n\n{code_block(message)}\n\n"
            "Fix `.vep-review.yaml` (or `[tool.vep-review]` in `pyproject.toml`) on the base branch, "
            "then comment `/vep-review` again.\n")


def short(sha: str) -> str:
    return (sha or "")[:12]
