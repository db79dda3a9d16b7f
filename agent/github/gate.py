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
#: The account the workflow comments as by default (``$VEP_REVIEW_BOT_LOGIN`` overrides it):
#: only its comments count as the sticky comment or an earlier refusal reply.
DEFAULT_BOT_LOGIN = "github-actions[bot]"


@dataclass(frozen=True)
class Decision:
    """The gate's answer.

    Attributes:
        allowed: the command may run.
        reason: one line for the log (and the reply to a refused human).
        bot: the requester is a bot (never replied to).
        reply: a refused human to tell so (not a bot, and their access is known to be
            short of write: not when the permission API failed or answered nonsense).
    """

    allowed: bool
    reason: str
    bot: bool = False
    reply: bool = False


class PermissionUnknown(Exception):
    """The permission API could not answer; ``str(exc)`` is one line, without the token."""


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


def decide_user(user, association: str | None, allowlist: frozenset[str], permission) -> Decision:
    """The gate, in the order of the module docstring, for the comment's author. Shared by
    the Action's first step (:mod:`agent.github.pregate`, standard library only) and
    ``vep-review github`` (:func:`check_permission`, PyGithub): only the permission API
    call differs.

    Args:
        user: the payload's ``comment.user``; anything but an object counts as no author.
        association: the payload's ``comment.author_association``.
        allowlist: lowercased logins admitted without write access.
        permission: ``permission(login)`` asks ``GET …/collaborators/{login}/permission``
            and returns its JSON (an object; anything else counts as no permission) or
            ``None`` for a 404 (not a collaborator), raising :class:`PermissionUnknown` on
            a failure; ``None`` when there is no way to ask (no token): refused.

    Never raises: a failure refuses (fail closed) with the reason.
    """
    user = user if isinstance(user, dict) else {}
    login = str(user.get("login") or "")
    if not login:
        return Decision(False, "the comment has no author login")
    if is_bot(user):
        return Decision(False, f"{login} is a bot; bots cannot run /vep-review", bot=True)
    if login.lower() in allowlist:
        return Decision(True, f"{login} is in the allowlist")
    association = str(association or "").upper()
    if association in PREFILTER_REFUSED:
        return Decision(False, f"{login} ({association}) has no write access to this repository", reply=True)
    if permission is None:
        return Decision(False, f"no token to check the permission of {login}", reply=True)
    try:
        data = permission(login)
    except PermissionUnknown as exc:
        return Decision(False, f"cannot check the permission of {login}: {exc}")
    if data is None:
        return Decision(False, f"{login} is not a collaborator of this repository", reply=True)
    if not isinstance(data, dict):
        return Decision(False, f"the permission API gave no permission for {login}")
    granted, role = str(data.get("permission") or "none"), str(data.get("role_name") or "")
    if granted in ALLOWED_PERMISSIONS or role in ALLOWED_PERMISSIONS:
        return Decision(True, f"{login} has {role or granted} access")
    return Decision(False, f"{login} has {role or granted} access; /vep-review needs write, maintain or admin",
                    reply=True)


def check_permission(repo, user, association: str | None, allowlist: frozenset[str]) -> Decision:
    """:func:`decide_user` for ``user`` on ``repo`` (a PyGithub ``Repository``), asking the
    permission API through PyGithub's requester (bounded retries of
    :mod:`agent.github.client`). Never raises."""
    from agent.github.client import api_errors, describe

    def permission(login: str):
        try:
            _, data = repo.requester.requestJsonAndCheck(
                "GET", f"{repo.url}/collaborators/{quote(login, safe='')}/permission")
        except api_errors() as exc:
            if getattr(exc, "status", None) == 404:
                return None
            raise PermissionUnknown(describe(exc)) from None
        return data

    return decide_user(user, association, allowlist, permission)
