"""TEMPORARY adapter until ``agent/stage.py`` (branch i10a) is merged: whether a release has
shipped, from the sig-release GA dates. Removed, and its callers pointed at
``agent.stage``, as soon as that module is on this branch."""

from __future__ import annotations

import datetime as dt
import re

from agent.schedules import parse_date, release_key


def ga_dates(directory: str | None) -> dict[str, dt.date]:
    """release -> GA date from ``releases/vX.Y/schedule.yaml`` (empty without schedules)."""
    if not directory:
        return {}
    import yaml
    from pathlib import Path

    root = Path(directory)
    releases = root / "releases" if (root / "releases").is_dir() else root
    out: dict[str, dt.date] = {}
    for sched in sorted(releases.glob("v*/schedule.yaml")):
        if release_key(sched.parent.name) is None:
            continue
        try:
            entries = yaml.safe_load(sched.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, dict) and re.search(r"\bGA\b", str(e.get("milestone") or "")) \
                    and "cdi" not in str(e.get("milestone")).lower() and parse_date(e.get("when")):
                out[sched.parent.name] = parse_date(e.get("when"))
                break
    return out


def release_shipped(release: str, ga: dict[str, dt.date], today: dt.date) -> bool:
    """``release`` has shipped by ``today``: its GA date has passed; a release without a
    schedule has shipped when a later-numbered release has."""
    key = release_key(release)
    if key is None:
        return False
    if release in ga:
        return ga[release] <= today
    return any(release_key(r) > key and d <= today for r, d in ga.items())
