"""VEP Freeze dates from kubevirt/sig-release release schedules.

Source: meta-VEP 282, "CI Enforcement", Action 2: the freeze date of release ``vX.Y`` is the
``when`` of the entry of ``releases/vX.Y/schedule.yaml`` whose ``what`` names the VEP Freeze.
Meta-VEP 282 says that entry contains "VEP Freeze"; the real schedules write "Virtualization
Enhancement Proposal (VEP) Freeze", so both spellings are matched. Dates are written
``YYYY-MM-DD`` up to v1.5 and ``YYYY/MM/DD`` from v1.6; both are read. Schedules without such
an entry (before v1.6 there was only a "Feature Freeze", which is not the VEP Freeze) give no
freeze date."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

_RELEASE_RE = re.compile(r"^v(\d+)\.(\d+)$")
#: ``what`` of a VEP Freeze entry: "VEP Freeze", "(VEP) Freeze", "VEP-Freeze".
_VEP_FREEZE_RE = re.compile(r"\bVEP\b\)?[\s-]*Freeze\b", re.I)


class ScheduleError(ValueError):
    """A schedules directory that does not exist (one-line message, exit code 2)."""


def parse_date(value) -> dt.date | None:
    """``date``, ``"YYYY-MM-DD"`` or ``"YYYY/MM/DD"`` -> ``date``; anything else -> ``None``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = re.fullmatch(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*", str(value))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def release_key(release: str) -> tuple[int, int] | None:
    """``"v1.10"`` -> ``(1, 10)``; not of the form ``vX.Y`` -> ``None``."""
    m = _RELEASE_RE.match(release.strip())
    if not m or len(m[1]) > 9 or len(m[2]) > 9:  # (int() refuses more than 4,300 digits)
        return None
    return int(m[1]), int(m[2])


@lru_cache(maxsize=4)
def load_freezes(directory: str) -> dict[str, dt.date]:
    """Read every ``releases/vX.Y/schedule.yaml`` under ``directory`` (a sig-release
    checkout, or its ``releases/`` folder).

    Returns:
        release (``"v1.7"``) -> VEP Freeze date. Unreadable or malformed schedule files are
        skipped.

    Raises:
        ScheduleError: ``directory`` does not exist.
    """
    import yaml

    root = Path(directory)
    if not root.is_dir():
        raise ScheduleError(f"{directory}: no such schedules directory")
    releases = root / "releases" if (root / "releases").is_dir() else root
    out: dict[str, dt.date] = {}
    for sched in sorted(releases.glob("v*/schedule.yaml")):
        if release_key(sched.parent.name) is None:
            continue
        try:
            entries = yaml.load(sched.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and _VEP_FREEZE_RE.search(str(entry.get("what", ""))):
                when = parse_date(entry.get("when"))
                if when:
                    out[sched.parent.name] = when
                    break
    return out


def default_schedules_dir(repo_root: Path | None) -> Path | None:
    """A ``sig-release`` checkout beside the enhancements checkout, if there is one."""
    if repo_root is None:
        return None
    candidate = repo_root.parent / "sig-release"
    return candidate if (candidate / "releases").is_dir() else None
