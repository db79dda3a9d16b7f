"""The stage a review holds a VEP to: alpha, beta or GA, and for which release.

A VEP that plans alpha in v1.9, beta in v1.10 and GA in v1.11 is an alpha proposal until
v1.9 has shipped: its reviewers should ask what alpha needs (a feature gate, a scope, a
test plan), not what GA needs (on by default, upgrade tested over several releases). The rule:

1. the front matter ``stage`` (meta-VEP 282, Front Matter Schema: ``stage``: "current maturity
   level"), when it is ``alpha``, ``beta`` or ``GA`` (any case);
2. else the lowest targeted stage whose release has not shipped by ``today``;
3. when every targeted release has shipped, the highest targeted stage;
4. no target with a release: no stage (``None``).

The targets are the front matter's ``milestone`` entries that name a release when there are any
(meta-VEP 282: the milestone block "replaces the existing "Target releases" prose section"),
else the body's target lines as VEP601 reads them
(:func:`agent.rules.vep601_target_release_mismatch.body_targets`): "This VEP targets beta for
version: v1.10", ``- Beta: v1.10`` in the Target releases section. Struck-through, commented-out
and fenced lines do not count, nor lines with no version (empty, ``TBD``, ``N/A``).

A release has shipped when its GA date (the sig-release schedule, :func:`agent.schedules.load_ga_dates`)
is on or before ``today``. A release without a schedule has shipped when a later-numbered
release has (an old ``v0.59``), and is in the future otherwise (a ``v1.12`` nobody has
scheduled yet). Without any schedules no release has shipped.

Plain standard library and the deterministic rules only: ``vep-review check`` may import it.

Sources: docs/vep-governance.md, Front Matter Schema (``stage``, ``milestone``);
docs/feature-lifecycle.md (alpha, beta, GA); meta-VEP 282, VEP Front Matter.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Mapping, NamedTuple

from agent.document import prose_lines
from agent.rules import LazyPattern

STAGES = ("alpha", "beta", "ga")
_LABEL = {"alpha": "alpha", "beta": "beta", "ga": "GA"}


class Stage(NamedTuple):
    """The stage a VEP is reviewed at.

    Attributes:
        stage: ``"alpha"``, ``"beta"``, ``"ga"`` or ``None`` (nothing targeted).
        release: the release of that stage, ``"v1.10"`` (major.minor), or ``None`` when
            unknown (a front matter ``stage`` without a release for it, or no stage).
        evidence: one line saying where the stage came from (lines, dates), for the report
            and the reviewers' prompt.
    """

    stage: str | None
    release: str | None
    evidence: str

    @property
    def label(self) -> str:
        """``"alpha"``, ``"beta"``, ``"GA"``, or ``"no stage"``."""
        return _LABEL.get(self.stage or "", "no stage")

    def headline(self) -> str:
        """``"Reviewed as a beta proposal for v1.10: <evidence>"``, or ``"Reviewed with no
        stage: <evidence>"``."""
        if self.stage is None:
            return f"Reviewed with no stage: {self.evidence}"
        article = "an" if self.stage == "alpha" else "a"
        release = f" for {self.release}" if self.release else ""
        return f"Reviewed as {article} {self.label} proposal{release}: {self.evidence}"


class _Target(NamedTuple):
    stage: str
    version: tuple[int, int]
    where: str  # "line 8" or "milestone.beta, line 4"


def _show(version: tuple[int, int]) -> str:
    return f"v{version[0]}.{version[1]}"


def _version(release) -> tuple[int, int] | None:
    if isinstance(release, tuple) and len(release) == 2:
        return release
    from agent.rules.vep601_target_release_mismatch import parse_version

    return parse_version(release)


def ga_dates(schedules) -> dict[str, dt.date]:
    """GA dates by release (``{"v1.9": date(2026, 7, 22)}``) from ``schedules``: a mapping of
    them (returned as is), a sig-release directory (``str`` or ``Path``), an object with a
    ``schedules`` attribute such as :class:`agent.context.CheckContext`, or ``None`` (no dates).
    An unreadable or missing directory gives no dates. Never raises."""
    if isinstance(schedules, Mapping):
        return dict(schedules)
    if schedules is not None and not isinstance(schedules, (str, Path)):
        schedules = getattr(schedules, "schedules", None)
    if not schedules:
        return {}
    from agent.schedules import ScheduleError, load_ga_dates

    try:
        return load_ga_dates(str(schedules))
    except (ScheduleError, OSError):
        return {}


def ship_date(release, schedules) -> dt.date | None:
    """The date ``release`` ships or shipped: its GA date; for a release without one, the
    earliest GA date of a later-numbered release (it has shipped when that has); ``None``
    when neither is known (treat as the future).

    Args:
        release: ``"v1.10"``, ``"1.10.0"`` or ``(1, 10)``.
        schedules: as for :func:`ga_dates`.
    """
    version = _version(release)
    if version is None:
        return None
    from agent.schedules import release_key

    dates = {}
    for name, when in ga_dates(schedules).items():
        key = release_key(name)
        if key is not None:
            dates[key] = when
    if version in dates:
        return dates[version]
    later = [when for key, when in dates.items() if key > version]
    return min(later) if later else None


def release_shipped(release, schedules, today: dt.date) -> bool:
    """Has ``release`` shipped (reached GA) by ``today``? See :func:`ship_date` for a release
    without a schedule. A release that is not a version (``TBD``) has not.

    Args:
        release: ``"v1.10"``, ``"1.10.0"`` or ``(1, 10)``.
        schedules: GA dates by release, a sig-release directory, a CheckContext or ``None``
            (:func:`ga_dates`).
        today: the date to compare with (``--today``).

    Source: kubevirt/sig-release ``releases/vX.Y/schedule.yaml`` (the GA entry).
    """
    when = ship_date(release, schedules)
    return when is not None and when <= today


def targets(doc) -> list[_Target]:
    """The releases ``doc`` targets per stage, as the module docstring says: the front
    matter's ``milestone`` when it names any release, else the body's target lines. Never
    raises."""
    from agent.rules.vep601_target_release_mismatch import body_targets, milestones

    try:
        ms = milestones(doc)
        if ms:
            return [_Target(stage, version, f"front matter milestone.{stage} (line {line})")
                    for stage, (version, _value, line) in ms.items()]
        return [_Target(t.stage, t.version, f"line {t.line}")
                for t in body_targets(doc) if t.version is not None and not t.struck]
    except Exception:  # noqa: BLE001 - odd documents: no targets rather than no review
        return []


#: A target line with a release and no stage word (compiled on first use: ``check`` imports this module).
_UNSTAGED_RE = LazyPattern(r"\btargets?\b[^\n]{0,80}?\b(v?\d{1,3}\.\d{1,3})\b", re.IGNORECASE)


def _unstaged_target(doc) -> tuple[int, str] | None:
    """The first prose line that targets a release without a stage ("This VEP targets
    version: v1.9"), as ``(line, "v1.9")``, to say why no stage was found. Never raises."""
    try:
        for line, raw in prose_lines(doc.text, doc.body_line, doc.body_start):  # (no copy of the body)
            m = _UNSTAGED_RE.search(raw) if "arget" in raw or "ARGET" in raw else None
            if m is not None and not raw.lstrip().startswith("~"):
                version = m.group(1)
                return line, version if version.startswith("v") else f"v{version}"
    except Exception:  # noqa: BLE001 - an explanation only
        return None
    return None


def _front_matter_stage(doc) -> tuple[str, int] | None:
    fm = doc.front_matter
    if fm is None or fm.error is not None or not isinstance(fm.data, dict):
        return None
    value = fm.data.get("stage")
    if not isinstance(value, str):
        return None
    word = value.strip().lower().replace("general availability", "ga")
    return (word, fm.line_of("stage")) if word in STAGES else None


def review_stage(doc, ctx=None, today: dt.date | None = None) -> Stage:
    """The stage ``doc`` is reviewed at (module docstring). Never raises.

    Args:
        doc: :class:`agent.document.VepDocument`.
        ctx: :class:`agent.context.CheckContext` (its ``schedules`` directory and ``today``),
            a sig-release directory, a mapping of GA dates, or ``None`` (no schedules).
        today: the date releases are compared with; default ``ctx.today``, else today.

    Returns:
        :class:`Stage`, e.g. ``Stage("beta", "v1.10", "line 8 targets beta for v1.10, not
        shipped by 2026-05-01 (GA 2026-11-18 per the sig-release schedule)")``.
    """
    if today is None:
        today = getattr(ctx, "today", None) or dt.date.today()
    found = targets(doc)
    fm_stage = _front_matter_stage(doc)
    if fm_stage is not None:
        stage, line = fm_stage
        of_stage = sorted(t.version for t in found if t.stage == stage)
        release = _show(of_stage[-1]) if of_stage else None
        return Stage(stage, release, f"front matter stage: {_LABEL[stage]} (line {line})")
    if not found:
        unstaged = _unstaged_target(doc)
        if unstaged is not None:
            line, version = unstaged
            return Stage(None, None, f"line {line} targets {version} without naming a stage (alpha, beta or GA)")
        return Stage(None, None, "no front matter stage and no target release line with a version")
    dates = ga_dates(ctx)
    scheduled = " per the sig-release schedule" if dates else ", no release schedules given"

    def shipped(t: _Target) -> dt.date | None:
        when = ship_date(t.version, dates)
        return when if when is not None and when <= today else None

    pending = [t for t in found if shipped(t) is None]
    if pending:
        t = min(pending, key=lambda t: (STAGES.index(t.stage), t.version))
        when = ship_date(t.version, dates)
        due = f"GA {when.isoformat()}" if when else "not scheduled yet"
        done = dict.fromkeys(f"{_LABEL[s.stage]} {_show(s.version)}" for s in sorted(found, key=lambda s: STAGES.index(s.stage))
                             if STAGES.index(s.stage) < STAGES.index(t.stage) and shipped(s) is not None)
        before = f"; {', '.join(done)} shipped" if done else ""
        return Stage(t.stage, _show(t.version),
                     f"{t.where} targets {_LABEL[t.stage]} for {_show(t.version)}, not shipped by {today.isoformat()} "
                     f"({due}{scheduled}){before}")
    t = max(found, key=lambda t: (STAGES.index(t.stage), t.version))
    return Stage(t.stage, _show(t.version),
                 f"every targeted release has shipped by {today.isoformat()}; the highest target is "
                 f"{_LABEL[t.stage]} for {_show(t.version)} ({t.where})")
