"""What a GitHub Actions event asks for: the ``/vep-review`` command grammar and the payload
fields the front end reads.

Commands (a comment whose body starts with ``/vep-review``; only the first line counts):

- ``/vep-review``: the full review (deterministic checks, then the LLM reviewers);
- ``/vep-review check``: the deterministic checks only;
- ``/vep-review help``: reply with the usage;
- ``/vep-review dismiss <fingerprint> [reason]``: contest a finding of the review comment
  (recorded in the comment's state; later reviews list it as dismissed and never raise it
  again while its fingerprint holds).

Anything else after ``/vep-review`` is answered with the usage. ``/vep-reviewer`` or a
command quoted in the middle of a comment is not a command.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_COMMAND_RE = re.compile(r"^/vep-review(?:\s+(?P<args>.*))?$")

USAGE = """\
**vep-review** commands (in a comment on a pull request; collaborators with write access):

| command | what it does |
| --- | --- |
| `/vep-review` | full review: the deterministic checks, then the LLM reviewers (design gaps, cross-SIG impact, feature-gate justification) |
| `/vep-review check` | the deterministic checks only (no model call) |
| `/vep-review dismiss <fingerprint> [reason]` | contest a finding: it is listed as dismissed (who, why) and not raised again; the fingerprint is shown beside each finding |
| `/vep-review help` | this message |

The result is one comment that is updated in place; asking again for the same head commit
reuses it. Every push also runs the deterministic checks as annotations and a job summary.
"""


class EventError(ValueError):
    """The event payload is missing or malformed (one-line message)."""


@dataclass(frozen=True)
class Command:
    """A parsed ``/vep-review`` command.

    Attributes:
        kind: ``full``, ``check``, ``help`` or ``dismiss``.
        unknown: the unrecognised argument, when ``kind`` is ``help`` because of it.
        fingerprint: ``dismiss``: the finding's fingerprint (10 hex digits, lower case).
        reason: ``dismiss``: the rest of the line ("" when none was given).
    """

    kind: str
    unknown: str | None = None
    fingerprint: str | None = None
    reason: str = ""

    @property
    def mode(self) -> str:
        """The review mode, ``full`` or ``check``; for the other commands their kind
        (``help``, ``dismiss``), which the Action's gate step installs as ``check``."""
        return self.kind


def parse_command(body) -> Command | None:
    """The command in a comment body, or ``None`` when the comment is not a command."""
    if not isinstance(body, str):
        return None
    first = body.lstrip().split("\n", 1)[0].strip()
    m = _COMMAND_RE.match(first)
    if not m:
        return None
    args = (m.group("args") or "").split()
    if not args:
        return Command("full")
    word = args[0].lower()
    if word == "dismiss":
        from agent.github.state import is_fingerprint

        fp = args[1].strip("`").lower() if len(args) > 1 else ""
        if not is_fingerprint(fp):
            return Command("help", unknown=" ".join(args[:2])[:40])
        reason = " ".join(m.group("args").split()[2:]) if m.group("args") else ""
        return Command("dismiss", fingerprint=fp, reason=reason[:200])
    if word in ("check", "help"):
        return Command(word)
    if word in ("review", "full"):
        return Command("full")
    return Command("help", unknown=args[0][:40])


def load_event(path: str | None) -> dict:
    """Read the event payload (``$GITHUB_EVENT_PATH``).

    Raises:
        EventError: no path, unreadable file, or not a JSON object.
    """
    if not path:
        raise EventError("GITHUB_EVENT_PATH is not set (run inside GitHub Actions, or use --dry-run)")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise EventError(f"{path}: cannot read the event payload ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise EventError(f"{path}: the event payload is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise EventError(f"{path}: the event payload is not a JSON object")
    return data


def get(data, *keys, default=None):
    """``data[k1][k2]…`` or ``default`` when any level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data
