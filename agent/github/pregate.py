"""The Action's first step: the cheap checks, before anything is installed and before the
Anthropic key is in any step's environment (docs/github.md, "What each step can reach").

Run by ``action.yml`` with the runner's own ``python3`` (standard library only, nothing
installed: ``PYTHONPATH=<action> python3 -m agent.github.pregate``). It reads the event and
decides:

- ``pull_request``: run the deterministic checks; install ``requirements/action-check.txt``;
- ``issue_comment``: only a new comment on a pull request whose first line is a
  ``/vep-review`` command (:func:`agent.github.events.parse_command`) goes on, and only when
  its author passes the permission gate (:func:`agent.github.gate.decide_user`, the same code
  as ``vep-review github``'s: bots refused, allowlist, ``author_association`` pre-filter, then
  the collaborator permission API, here through :class:`agent.github.api.RestApi`).
  ``/vep-review`` (full) installs ``requirements/action-full.txt`` (the LLM extras) and is
  the only case that gets the key; ``check``, ``help`` and the rest install
  ``action-check.txt``.
- A refused human gets at most **one** reply per pull request (a hidden marker
  ``<!-- vep-review:refused login=… -->`` in the bot's reply is looked for first:
  :func:`told_already`), or none with ``on-refused: ignore``, nor when the permission API
  failed; bots never get one.

Outputs (``$GITHUB_OUTPUT``): ``run`` (``true``/``false``), ``lock`` (``action-check`` or
``action-full``), ``llm`` (``true`` for a full review), ``reason`` (one line). It never
fails the job on a refusal: exit 0; 2 only for an unreadable event.
"""

from __future__ import annotations

import json
import os
import sys
from typing import NamedTuple
from urllib.parse import quote

CHECK_LOCK = "action-check"
FULL_LOCK = "action-full"
REFUSAL = ("`/vep-review` can only be run by collaborators with write access to this repository. "
           "The deterministic checks run on every push: see the **vep-review** check of this pull request.")
REFUSED_MARKER = "<!-- vep-review:refused login={login} -->"


class Verdict(NamedTuple):
    """What the Action does next.

    Attributes:
        run: install and run vep-review.
        lock: the requirements file to install (``action-check`` or ``action-full``).
        reason: one line for the log.
        reply_to: login of a refused human to reply to (``None``: no reply).
        number: the pull request (for the reply).
    """

    run: bool
    lock: str = CHECK_LOCK
    reason: str = ""
    reply_to: str | None = None
    number: int | None = None


def decide(event_name: str | None, payload: dict, api, allowlist: frozenset[str], on_refused: str = "reply") -> Verdict:
    """The cheap checks for one event.

    Args:
        event_name: ``$GITHUB_EVENT_NAME``.
        payload: the event.
        api: :class:`agent.github.api.RestApi` of the repository (the permission API), or
            ``None`` without a token (then only the allowlist can admit anyone).
        allowlist: lowercased logins admitted without write access.
        on_refused: ``reply`` or ``ignore``.
    """
    from agent.github.events import get, parse_command
    from agent.github.gate import PermissionUnknown, decide_user

    if event_name == "pull_request":
        return Verdict(True, CHECK_LOCK, "pull_request: the deterministic checks")
    if event_name != "issue_comment":
        return Verdict(False, reason=f"unsupported event {event_name!r}")
    if payload.get("action") != "created":
        return Verdict(False, reason=f"ignored: comment {payload.get('action') or 'without action'}")
    number = get(payload, "issue", "number")
    if not get(payload, "issue", "pull_request") or not isinstance(number, int):
        return Verdict(False, reason="ignored: the comment is not on a pull request")
    command = parse_command(get(payload, "comment", "body"))
    if command is None:
        return Verdict(False, reason="ignored: not a /vep-review command")
    lock = FULL_LOCK if command.mode == "full" else CHECK_LOCK

    def permission(login: str):
        from agent.github.api import ApiError

        try:
            return api.get(f"collaborators/{quote(login, safe='')}/permission")
        except ApiError as exc:
            raise PermissionUnknown(str(exc)) from None

    user = get(payload, "comment", "user")
    decision = decide_user(user, get(payload, "comment", "author_association"), allowlist,
                           permission if api is not None else None)
    if decision.allowed:
        return Verdict(True, lock, decision.reason)
    login = str(user.get("login") or "") if isinstance(user, dict) else ""
    reply_to = login if decision.reply and on_refused == "reply" else None
    return Verdict(False, lock, f"refused: {decision.reason}", reply_to, number)


#: Comments looked at for an earlier refusal reply (a bounded look on a long thread).
MAX_COMMENTS_SEEN = 2000


def told_already(comments, login: str, bot_login: str) -> bool:
    """Whether ``comments`` (``(author login, body)`` pairs, oldest first; either may be
    ``None``) hold the bot's refusal reply to ``login``: a comment by ``bot_login`` with
    :data:`REFUSED_MARKER` for ``login`` (logins compared case-insensitively; the same
    marker written by anyone else does not count). Reads at most :data:`MAX_COMMENTS_SEEN`
    pairs, so a lazy iterable is paged no further than needed. Used by this step and by
    ``vep-review github`` (:func:`agent.github.run.handle_issue_comment`)."""
    marker = REFUSED_MARKER.format(login=login.lower())
    for seen, (author, body) in enumerate(comments):
        if seen >= MAX_COMMENTS_SEEN:
            break
        if str(author or "").lower() == bot_login.lower() and marker in str(body or ""):
            return True
    return False


def _comments(api, number: int):
    """``(author login, body)`` of the comments on issue ``number``, page by page (100 a
    page) through ``api`` (:class:`agent.github.api.RestApi`); an answer that is not a list
    ends the pages, an entry that is not an object is skipped.

    Raises:
        agent.github.api.ApiError: a page could not be read.
    """
    page = 1
    while True:
        comments = api.get(f"issues/{number}/comments?per_page=100&page={page}")
        if not isinstance(comments, list):
            return
        for c in comments:
            if isinstance(c, dict):
                user = c.get("user")
                yield (user.get("login") if isinstance(user, dict) else None), c.get("body")
        if len(comments) < 100:
            return
        page += 1


def reply_once(api, number: int, login: str, bot_login: str) -> str:
    """Post the refusal reply to ``login`` on pull request ``number`` unless the bot already
    replied to them there (:func:`told_already`). Returns one line for the log; never
    raises on an API failure."""
    from agent.github.api import ApiError

    try:
        if told_already(_comments(api, number), login, bot_login):
            return f"not replying: {login} was already told on #{number}"
        marker = REFUSED_MARKER.format(login=login.lower())
        api.post(f"issues/{number}/comments", {"body": f"{marker}\n{REFUSAL}"})  # mentions nobody
    except ApiError as exc:
        return f"cannot reply: {exc}"
    return f"replied to {login} on #{number}"


def write_outputs(path: str | None, **values: str) -> None:
    """``key=value`` lines for ``$GITHUB_OUTPUT`` (values are one line; standard output
    without the file)."""
    lines = "".join(f"{k}={' '.join(str(v).split())}\n" for k, v in values.items())
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(lines)
    else:
        sys.stdout.write(lines)


def main() -> int:
    """The step: read the environment, decide, reply if needed, write the outputs."""
    from agent.github.api import RestApi
    from agent.github.gate import DEFAULT_BOT_LOGIN, parse_allowlist

    env = os.environ.get
    try:
        with open(env("GITHUB_EVENT_PATH") or "", encoding="utf-8") as fh:
            payload = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"::error title=vep-review::cannot read the event payload: {exc}")
        return 2
    if not isinstance(payload, dict):
        print("::error title=vep-review::the event payload is not a JSON object")
        return 2
    repo, token = env("GITHUB_REPOSITORY") or "", env("GITHUB_TOKEN") or None
    api = RestApi(repo, token, env("GITHUB_API_URL") or "https://api.github.com") if repo and token else None
    verdict = decide(env("GITHUB_EVENT_NAME"), payload, api, parse_allowlist(env("VEP_REVIEW_ALLOWED_USERS")),
                     env("VEP_REVIEW_ON_REFUSED") or "reply")
    print(f"vep-review: {verdict.reason}", file=sys.stderr)
    if verdict.reply_to and verdict.number is not None and api is not None:
        bot_login = env("VEP_REVIEW_BOT_LOGIN") or DEFAULT_BOT_LOGIN
        print(f"vep-review: {reply_once(api, verdict.number, verdict.reply_to, bot_login)}", file=sys.stderr)
    write_outputs(env("GITHUB_OUTPUT"), run=str(verdict.run).lower(), lock=verdict.lock,
                  llm=str(verdict.run and verdict.lock == FULL_LOCK).lower(), reason=verdict.reason)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
