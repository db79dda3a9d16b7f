"""VEP Freeze and GA (release) dates from kubevirt/sig-release release schedules.

Source: meta-VEP 282, "CI Enforcement", Action 2: the freeze date of release ``vX.Y`` is the
``when`` of the entry of ``releases/vX.Y/schedule.yaml`` whose ``what`` names the VEP Freeze.
Meta-VEP 282 says that entry contains "VEP Freeze"; the real schedules write "Virtualization
Enhancement Proposal (VEP) Freeze", so both spellings are matched. Dates are written
``YYYY-MM-DD`` up to v1.5 and ``YYYY/MM/DD`` from v1.6; both are read. Schedules without such
an entry (before v1.6 there was only a "Feature Freeze", which is not the VEP Freeze) give no
freeze date.

The GA date of release ``vX.Y`` (:func:`load_ga_dates`) is the ``when`` of the KubeVirt entry
whose ``milestone`` says GA (``GA`` up to v1.5, ``**KubeVirt GA**`` from v1.6; the ``**CDI GA**``
entry a week later is CDI's), or else of the entry that tags ``vX.Y.0``."""

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
    return (int(m[1]), int(m[2])) if m else None


@lru_cache(maxsize=4)
def load_schedules(directory: str) -> dict[str, tuple[dict, ...]]:
    """Read every ``releases/vX.Y/schedule.yaml`` under ``directory`` (a sig-release
    checkout, or its ``releases/`` folder).

    Returns:
        release (``"v1.7"``) -> its entries (the mappings of the schedule's list). Unreadable
        or malformed schedule files are skipped.

    Raises:
        ScheduleError: ``directory`` does not exist.
    """
    import yaml

    root = Path(directory)
    if not root.is_dir():
        raise ScheduleError(f"{directory}: no such schedules directory")
    releases = root / "releases" if (root / "releases").is_dir() else root
    out: dict[str, tuple[dict, ...]] = {}
    for sched in sorted(releases.glob("v*/schedule.yaml")):
        if release_key(sched.parent.name) is None:
            continue
        try:
            entries = yaml.load(sched.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(entries, list):
            out[sched.parent.name] = tuple(e for e in entries if isinstance(e, dict))
    return out


@lru_cache(maxsize=4)
def load_freezes(directory: str) -> dict[str, dt.date]:
    """VEP Freeze dates of the schedules under ``directory`` (see :func:`load_schedules`).

    Returns:
        release (``"v1.7"``) -> VEP Freeze date; releases without such an entry are absent.

    Raises:
        ScheduleError: ``directory`` does not exist.
    """
    out: dict[str, dt.date] = {}
    for release, entries in load_schedules(directory).items():
        for entry in entries:
            if _VEP_FREEZE_RE.search(str(entry.get("what", ""))):
                when = parse_date(entry.get("when"))
                if when:
                    out[release] = when
                    break
    return out


#: ``milestone`` of a GA entry: "GA", "**KubeVirt GA**" (not "**CDI GA**").
_GA_MILESTONE_RE = re.compile(r"\bGA\b")


@lru_cache(maxsize=4)
def load_ga_dates(directory: str) -> dict[str, dt.date]:
    """GA (release) dates of the schedules under ``directory`` (see :func:`load_schedules`):
    the KubeVirt entry whose ``milestone`` says GA, else the entry that tags ``vX.Y.0``.

    Returns:
        release (``"v1.7"``) -> GA date; releases without such an entry are absent.

    Raises:
        ScheduleError: ``directory`` does not exist.
    """
    out: dict[str, dt.date] = {}
    for release, entries in load_schedules(directory).items():
        tag = re.compile(rf"\bTag\s+{re.escape(release)}\.0(?![-.\w])")
        by_milestone = by_tag = None
        for entry in entries:
            milestone, who = str(entry.get("milestone") or ""), str(entry.get("who") or "KubeVirt")
            when = parse_date(entry.get("when"))
            if when is None or "cdi" in (milestone + who).lower():
                continue
            if by_milestone is None and _GA_MILESTONE_RE.search(milestone):
                by_milestone = when
            if by_tag is None and tag.search(str(entry.get("what") or "")):
                by_tag = when
        if by_milestone or by_tag:
            out[release] = by_milestone or by_tag
    return out


def default_schedules_dir(repo_root: Path | None) -> Path | None:
    """A ``sig-release`` checkout beside the enhancements checkout, if there is one."""
    if repo_root is None:
        return None
    candidate = repo_root.parent / "sig-release"
    return candidate if (candidate / "releases").is_dir() else None
