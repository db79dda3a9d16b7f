"""Who may run ``/vep-review``: the permission gate, checked before anything costs money.

Order (docs/github.md, "Who can run it"):

1. bots are refused (``user.type == "Bot"`` or a login ending in ``[bot]``), allowlisted or
   not: no bot loops, no replies to bots;
2. logins in the configured allowlist are accepted;
3. ``author_association`` is only a cheap pre-filter: ``FIRST_TIMER`` and ``MANNEQUIN``
   (never a collaborator) are refused without an API call; every other value, ``MEMBER``
   and ``OWNER`` included, goes to step 4 (an org member need not have write access, and
   ``CONTRIBUTOR`` is also what an org member with private membership is shown as);
4. the collaborator permission API (``GET /repos/{o}/{r}/collaborators/{user}/permission``)
   must say ``admin``, ``maintain`` or ``write``. Its ``permission`` field collapses
   ``maintain`` to ``write`` (what PyGithub's ``get_collaborator_permission`` returns), and
   ``role_name`` gives the fine role (custom roles keep their own name): either field
   granting write access is enough. A 404 (not a collaborator) or any failure refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

ALLOWED_PERMISSIONS = frozenset({"admin", "maintain", "write"})
PREFILTER_REFUSED = frozenset({"FIRST_TIMER", "MANNEQUIN"})


@dataclass(frozen=True)
class Decision:
    """The gate's answer.

    Attributes:
        allowed: the command may run.
        reason: one line for the log (and the reply to a refused human).
        bot: the requester is a bot (never replied to).
    """

    allowed: bool
    reason: str
    bot: bool = False


def is_bot(user: dict) -> bool:
    """``user`` (the payload's ``comment.user``) is a bot account or a GitHub App."""
    login = str(user.get("login") or "")
    return user.get("type") == "Bot" or login.lower().endswith("[bot]")


def parse_allowlist(text: str | None) -> frozenset[str]:
    """Logins separated by commas, spaces or newlines; lowercased (logins are
    case-insensitive); a leading ``@`` is dropped."""
    if not text:
        return frozenset()
    return frozenset(w.lstrip("@").lower() for w in text.replace(",", " ").split() if w.lstrip("@"))


def check_permission(repo, user: dict, association: str | None, allowlist: frozenset[str]) -> Decision:
    """Decide whether ``user`` may run a command on ``repo`` (a PyGithub ``Repository``).

    Never raises: an API failure refuses (fail closed) with the reason.
    """
    login = str(user.get("login") or "")
    if not login:
        return Decision(False, "the comment has no author login")
    if is_bot(user):
        return Decision(False, f"{login} is a bot; bots cannot run /vep-review", bot=True)
    if login.lower() in allowlist:
        return Decision(True, f"{login} is in the allowlist")
    if (association or "").upper() in PREFILTER_REFUSED:
        return Decision(False, f"{login} ({association}) has no write access to this repository")
    from agent.github.client import api_errors, describe

    try:
        _, data = repo.requester.requestJsonAndCheck(
            "GET", f"{repo.url}/collaborators/{quote(login, safe='')}/permission")
    except api_errors() as exc:
        status = getattr(exc, "status", None)
        if status == 404:
            return Decision(False, f"{login} is not a collaborator of this repository")
        return Decision(False, f"cannot check the permission of {login}: {describe(exc)}")
    permission = str((data or {}).get("permission") or "none")
    role = str((data or {}).get("role_name") or "")
    if permission in ALLOWED_PERMISSIONS or role in ALLOWED_PERMISSIONS:
        return Decision(True, f"{login} has {role or permission} access")
    return Decision(False, f"{login} has {role or permission} access; /vep-review needs write, maintain or admin")
