"""``vep-review status [PATH]``: one row per VEP of a checkout, the release team's view.

Each row: ``vep-number``, ``title``, ``owning-sig``, ``status``, ``stage``, the ``milestone``
targets (alpha/beta/GA), ``feature-gate``, ``reviewers`` and ``approvers`` (named or ``TBD``)
and the count of error and warning findings of ``vep-review check``. Values come from the
front matter ("the single source of truth", docs/vep-governance.md); a value the front matter
does not give is read from the body, path and schedules as ``vep-review migrate`` would write
it (:mod:`agent.commands.infer`) and marked so (``inferred``).

``--release vX.Y`` keeps the VEPs whose milestones target that release, adds its VEP Freeze
date and the days left (kubevirt/sig-release schedules, as VEP302 reads them) and says which
VEPs are not ready to become ``implementable`` and why, by rule: docs/vep-governance.md, "The
provisional -> implementable Gate" (named reviewers and approvers, a target milestone, merged
before the VEP Freeze: VEP209, VEP302), front matter present (VEP201) and no error finding.

Formats: ``text`` (a rich table), ``markdown``, ``json`` (a list of objects keyed by the front
matter's key names) and ``csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

from agent.commands.infer import STAGES, TBD, Dates, infer, release_dates
from agent.findings import Severity
from agent.rules.vep206_field_value import is_empty, is_tbd
from agent.rules.vep601_target_release_mismatch import parse_version, show
from agent.stage import review_stage

#: Fields of a row read from the front matter, else inferred.
FIELDS = ("title", "vep-number", "owning-sig", "status", "stage", "milestone", "feature-gate", "reviewers",
          "approvers")
_CLOSED = {"deferred", "rejected", "withdrawn", "replaced"}


def _people(value) -> str:
    """``"named"`` (every entry a handle), ``"TBD"`` (some entry still TBD) or ``""`` (none,
    or entries that are no handle at all: a number, a mapping; VEP206 reports those)."""
    entries = value if isinstance(value, list) else [value]
    entries = [e for e in entries if not is_empty(e)]
    if not entries:
        return ""
    if any(is_tbd(e) for e in entries):
        return TBD
    return "named" if all(isinstance(e, str) for e in entries) else ""


def _milestones(value) -> dict[str, str]:
    """stage -> release as written (``TBD`` kept), for the three stages."""
    out = {}
    if isinstance(value, dict):
        for stage in STAGES:
            v = value.get(stage)
            if hasattr(v, "value"):  # an inferred Value
                v = v.value
            if not is_empty(v):
                out[stage] = str(v).strip()
    return out


def row(doc, ctx, findings, dates: Dates) -> dict:
    """The status row of one VEP.

    Args:
        doc: the parsed VEP; ctx: its check context; findings: its findings (``check``).
        dates: :class:`agent.commands.infer.Dates` for inferring ``status`` and ``stage``.

    Returns:
        a dict keyed by the front matter's key names (``vep-number``, ``status``, ``stage``,
        ``milestone`` as ``{alpha, beta, ga}``, …) plus ``path``, ``errors``, ``warnings``
        and ``inferred`` (the keys read from the body, path or schedules, not the front matter).
    """
    fm = doc.front_matter
    data = fm.data if fm is not None and fm.error is None and isinstance(fm.data, dict) else None
    inferred_values = infer(doc, ctx.template, dates, git=False)
    out: dict = {"path": doc.path}
    inferred = []
    for key in FIELDS:
        if data is not None and not is_empty(data.get(key)):
            value = data[key]
        elif key == "stage" and data is not None:  # as the review holds it, from the front matter's milestones
            value = None if doc.is_process else review_stage(doc, dates.ga, dates.today).stage
            if value is not None:
                inferred.append(key)
        else:
            iv = inferred_values.get(key)
            value = iv.value if iv is not None else None
            if is_empty(value) or (data is not None and (value == TBD or value == [TBD])):
                value = None  # nothing to read, or a placeholder where the front matter says nothing
            elif value != TBD and value != [TBD]:
                inferred.append(key)
        out[key] = value
    out["milestone"] = _milestones(out["milestone"])
    number = out["vep-number"]
    out["vep-number"] = int(number) if isinstance(number, int) or (isinstance(number, str) and number.isdecimal()) \
        else number
    out["reviewers"] = _people(out["reviewers"])
    out["approvers"] = _people(out["approvers"])
    for key in ("title", "owning-sig", "status", "stage", "feature-gate"):
        if out[key] is not None and not isinstance(out[key], str):
            out[key] = str(out[key])
    out["errors"] = sum(f.severity is Severity.ERROR for f in findings)
    out["warnings"] = sum(f.severity is Severity.WARNING for f in findings)
    out["inferred"] = inferred
    out["_findings"] = findings
    out["_front_matter"] = fm is not None  # unreadable front matter is VEP203's finding, not "none"
    return out


def targets(r: dict, release: tuple[int, int]) -> list[str]:
    """The stages of row ``r`` whose milestone is ``release``."""
    return [s for s, v in r["milestone"].items() if parse_version(v) == release]


def readiness(r: dict, release: str, freeze: dt.date | None, today: dt.date) -> list[str]:
    """Why the VEP of row ``r`` is not ready to become ``implementable`` for ``release``,
    one ``"RULE: reason"`` per problem; empty when it is ready or already is."""
    status = (r["status"] or "").strip().lower()
    if status == "implemented" or (status == "implementable" and "status" not in r["inferred"]):
        return []
    if status in _CLOSED:
        return [f"VEP206: status is {status}"]
    reasons = []
    if not r["_front_matter"]:
        reasons.append("VEP201: no VEP-282 front matter (vep-review migrate)")
    for key in ("reviewers", "approvers"):
        if r[key] != "named":
            reasons.append(f"VEP209: {key} not named" + (" (TBD)" if r[key] == TBD else ""))
    stage = r["stage"] if r["stage"] in STAGES else "alpha"
    if parse_version(r["milestone"].get(stage)) is None:
        reasons.append(f"VEP209: milestone.{stage} names no release")
    if freeze is not None and today > freeze:
        reasons.append(f"VEP302: the VEP Freeze of {release} was on {freeze.isoformat()}")
    seen = {"VEP201", "VEP209", "VEP302"}
    for f in r["_findings"]:
        if f.severity is Severity.ERROR and f.rule not in seen:
            seen.add(f.rule)
            reasons.append(f"{f.rule}: {f.message}")
    return reasons


def collect(path: str, schedules: str | None, today: dt.date, release: str | None = None):
    """Rows for every VEP under ``path``.

    Returns:
        ``(rows, errors, freeze)``: rows sorted by VEP number (with ``release``, only the VEPs
        targeting it, each with ``release-stages``, ``freeze-date``, ``days-left``, ``ready``
        and ``not-ready``); one-line errors; the release's VEP Freeze date or ``None``.

    Raises:
        agent.engine.UsageError: no such path, no VEP found, bad release or schedules.
    """
    from agent.engine import CheckOptions, UsageError, check_document, discover, load
    from agent.schedules import ScheduleError, load_freezes

    wanted = None
    if release is not None:
        wanted = parse_version(release)
        if wanted is None or not release.strip().lower().startswith("v"):
            raise UsageError(f"--release {release}: not a release written vX.Y")
        release = show(wanted)
    from agent.rules.vep106_stray_file import is_markdown

    docs, errors, _ = discover([path])
    docs = [p for p in docs if is_markdown(p.name)]  # not the images and notes VEP106 places
    if not docs:
        raise UsageError(errors[0] if errors else f"{path}: no VEP documents found")
    options = CheckOptions(schedules=schedules, today=today)
    contexts: dict = {}
    rows = []
    dates = None
    for p in docs:
        loaded = load(p, options, None, contexts)
        if not isinstance(loaded, tuple):
            errors.append(f"{loaded.path}: {loaded.error}")
            continue
        doc, ctx = loaded
        if dates is None:
            dates = release_dates(ctx.schedules, today)
        rows.append(row(doc, ctx, check_document(doc, ctx), dates))
    freeze = None
    if wanted is not None:
        sched = next((c.schedules for c in contexts.values() if c.schedules), None)
        try:
            freeze = load_freezes(str(sched)).get(release) if sched else None
        except ScheduleError as exc:
            raise UsageError(str(exc)) from None
        kept = []
        for r in rows:
            stages = targets(r, wanted)
            if not stages:
                continue
            r["release-stages"] = stages
            r["freeze-date"] = freeze.isoformat() if freeze else None
            r["days-left"] = (freeze - today).days if freeze else None
            r["not-ready"] = readiness(r, release, freeze, today)
            r["ready"] = not r["not-ready"]
            kept.append(r)
        rows = kept
    rows.sort(key=lambda r: (not isinstance(r["vep-number"], int), r["vep-number"] if isinstance(r["vep-number"], int)
                             else 0, r["path"]))
    return rows, errors, freeze


def _public(r: dict) -> dict:
    return {k: v for k, v in r.items() if not k.startswith("_")}


def _cell(r: dict, key: str, mark: str = "*") -> str:
    """A value, marked when read from the body (the whole row is, by its VEP number, when the
    VEP has no front matter at all)."""
    value = r[key]
    text = "" if value is None else str(value)
    if key == "vep-number":
        return f"{text}{mark}" if not r["_front_matter"] else text
    return f"{text}{mark}" if text and key in r["inferred"] and r["_front_matter"] else text


def _targets_cells(r: dict) -> list[str]:
    m = "*" if "milestone" in r["inferred"] and r["_front_matter"] else ""
    return [r["milestone"][s] + m if s in r["milestone"] else "" for s in STAGES]


_HEAD = ["VEP", "Title", "SIG", "Status", "Stage", "Alpha", "Beta", "GA", "Feature gate", "Reviewers", "Approvers",
         "Errors", "Warnings"]


def _cells(r: dict) -> list[str]:
    return [_cell(r, "vep-number"), _cell(r, "title"), _cell(r, "owning-sig"), _cell(r, "status"), _cell(r, "stage"),
            *_targets_cells(r), _cell(r, "feature-gate"), r["reviewers"], r["approvers"], str(r["errors"]),
            str(r["warnings"])]


def _heading(release: str | None, freeze: dt.date | None, today: dt.date, count: int) -> str:
    if release is None:
        return f"{count} VEP{'s' if count != 1 else ''}"
    head = f"{count} VEP{'s' if count != 1 else ''} targeting {release}"
    if freeze is None:
        return head + " (no VEP Freeze date in the schedules)"
    days = (freeze - today).days
    left = f"{days} day{'s' if abs(days) != 1 else ''} left" if days >= 0 else f"passed {-days} days ago"
    return head + f"; VEP Freeze {freeze.isoformat()} ({left})"


_NOTE = ("*: read from the body, path or schedules, not the front matter; a VEP number marked * has no front matter "
         "at all (vep-review migrate writes it)")


def render(rows: list[dict], fmt: str, out, release: str | None, freeze: dt.date | None, today: dt.date,
           color: bool | None = None) -> None:
    """Write ``rows`` to ``out`` as text (rich table), markdown, json or csv."""
    if fmt == "json":
        json.dump([_public(r) for r in rows], out, indent=2)
        out.write("\n")
        return
    head = _HEAD + (["Ready", "Not ready because"] if release else [])

    def cells(r):
        extra = ["yes" if r["ready"] else "no", "; ".join(r["not-ready"])] if release else []
        return _cells(r) + extra

    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(head + ["Inferred", "Path"])
        for r in rows:
            w.writerow([c.rstrip("*") for c in cells(r)] + [" ".join(r["inferred"]), r["path"]])
        return
    heading = _heading(release, freeze, today, len(rows))
    if fmt == "markdown":
        out.write(f"**{heading}**\n\n| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n")
        for r in rows:
            out.write("| " + " | ".join(" ".join(c.split()).replace("|", "\\|") for c in cells(r)) + " |\n")
        out.write(f"\n{_NOTE}\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=heading, caption=_NOTE, show_lines=False)
    for name in head:
        wraps = name in ("Title", "Feature gate", "Not ready because")
        table.add_column(name, overflow="fold", no_wrap=not wraps,
                         justify="right" if name in ("VEP", "Errors", "Warnings") else "left")
    for r in rows:
        table.add_row(*cells(r))
    console = Console(file=out, force_terminal=color, no_color=color is False, soft_wrap=False)
    if not console.is_terminal:  # a file or a pipe: as wide as the table needs, not 80 columns
        console.width = 240
    console.print(table)


def run(args) -> int:
    """``vep-review status`` (argparse namespace: path, release, format, schedules, today).

    Returns:
        0; 2 for a bad path, release or schedules directory (one line on standard error).
    """
    from agent.engine import UsageError

    today = args.today or dt.date.today()
    if args.schedules and not Path(args.schedules).is_dir():
        print(f"vep-review: error: {args.schedules}: no such schedules directory", file=sys.stderr)
        return 2
    try:
        rows, errors, freeze = collect(args.path, args.schedules, today, args.release)
    except UsageError as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return 2
    release = show(parse_version(args.release)) if args.release else None
    render(rows, args.format, sys.stdout, release, freeze, today)
    for e in errors:
        print(f"vep-review: error: {e}", file=sys.stderr)
    return 2 if errors else 0
