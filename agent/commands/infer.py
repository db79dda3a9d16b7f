"""What the repository already says about a VEP's VEP-282 front matter fields, read from the
path, the H1, the body and the release schedules: the reader behind ``vep-review migrate``
(which writes it as front matter) and ``vep-review status`` (which shows it for VEPs that have
none yet).

Each field is read as the rules read it, so that a migrated block satisfies them:

- ``title``: the H1 (VEP105's :attr:`~agent.document.VepDocument.title`), after ``VEP #N:``;
- ``vep-number``: the ``<number>-<name>/`` directory, else the H1's number (VEP104);
- ``owning-sig``: the ``veps/sig-*/`` directory (VEP212);
- ``feature-gate``: the gate the body names, as VEP501 reads it, omitted when the body opts
  out with a reason (docs/vep-governance.md: "omit field only if VEP body contains explicit
  opt-out justification"); process VEPs have none (meta-VEP 282);
- ``milestone``: the body's target-release lines, as VEP601 reads them (struck-through lines
  and placeholders ignored); a stage the body targets for two different releases is left out;
- ``status``: docs/vep-governance.md, "Governance States": a targeted release shipped (GA date
  of the sig-release schedule passed): ``implementable``; the GA release shipped:
  ``implemented``; nothing targeted or shipped: ``provisional``;
- ``stage``: the stage being worked on: the lowest targeted stage whose release has not
  shipped, the highest when all have; ``ga`` once GA shipped; never below the stage
  Implementation History says the feature graduated to (VEP602); omitted for process VEPs and
  when nothing is targeted;
- ``creation-date``: the author date of the first commit of the file, following renames, when
  the file is in a git checkout; ``authors``: that commit's author when its e-mail is a GitHub
  no-reply address (``123+login@users.noreply.github.com``);
- ``reviewers``, ``approvers`` (and whatever else cannot be read): ``TBD``, listed as what a
  person must still fill in.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from agent.document import VepDocument
from agent.rules.vep501_feature_gate_missing import gate_facts
from agent.rules.vep601_target_release_mismatch import body_targets, show
from agent.rules.vep602_stage_mismatch import graduated_to
from agent.stage import review_stage

#: Front matter keys in the order of docs/vep-governance.md, "Front Matter Schema".
SCHEMA_ORDER = ("title", "vep-number", "creation-date", "status", "authors", "owning-sig", "participating-sigs",
                "reviewers", "approvers", "feature-gate", "stage", "milestone", "replaces", "superseded-by")
STAGES = ("alpha", "beta", "ga")
TBD = "TBD"


class Value(NamedTuple):
    """One inferred front matter value.

    Attributes:
        value: what to write (``str``, ``int``, ``list``; for ``milestone`` a dict of stage ->
            :class:`Value`); ``None``: the key is left out (``source`` then says why).
        source: where it came from, for a YAML comment; ``None`` for no comment.
        todo: what a person must still do about it, when it could not be (fully) inferred.
    """

    value: object
    source: str | None = None
    todo: str | None = None


class Dates(NamedTuple):
    """Whether releases have shipped.

    Attributes:
        shipped: ``release ("v1.9") -> bool``, by the GA dates of the schedules and ``today``.
        ga: release -> GA date, for the comments.
        today: the date compared with.
        known: schedules were found (without them nothing can be said to have shipped).
    """

    shipped: Callable[[str], bool]
    ga: dict
    today: dt.date
    known: bool


def release_dates(schedules: str | Path | None, today: dt.date) -> Dates:
    """:class:`Dates` from a sig-release checkout (``None``: no schedules), by
    :func:`agent.stage.release_shipped`."""
    from agent.stage import ga_dates, release_shipped

    ga = ga_dates(str(schedules) if schedules else None)
    return Dates(lambda release: release_shipped(release, ga, today), ga, today, bool(ga))


def _title(doc: VepDocument, template) -> Value:
    t = doc.title
    if t is None:
        return Value(TBD, "not inferred: the document has no H1", "title: the document has no H1")
    text = (t.title or t.text).strip()
    if t.number is None and template is not None and template.lookup(text) is not None:
        return Value(TBD, f"not inferred: the H1 (line {t.line}) is a section heading, {text!r}",
                     f"title: the H1 is the section heading {text!r}")
    return Value(" ".join(text.split()), f"from the H1 (line {t.line})")


def _number(doc: VepDocument) -> Value:
    if doc.info.number is not None:
        return Value(doc.info.number, f"from the directory name {doc.info.vep_dir}/")
    if doc.title is not None and doc.title.number is not None:
        return Value(doc.title.number, f"from the H1 (line {doc.title.line})")
    return Value(TBD, "not inferred: the tracking issue number", "vep-number: the tracking issue number")


def _sig(doc: VepDocument) -> Value:
    sig = doc.info.sig_dir
    if sig and sig.startswith("sig-"):
        return Value(sig, f"from the directory veps/{sig}/")
    where = f"veps/{sig}/" if sig else "its directory"
    return Value(TBD, f"not inferred: {where} is not a SIG directory", "owning-sig: the SIG that owns the VEP")


def milestone(doc: VepDocument) -> tuple[dict[str, Value], list[str]]:
    """stage -> release from the body's target-release lines (VEP601's reader).

    Returns:
        (stage -> :class:`Value` with ``"vX.Y"``, in stage order; todo notes for stages the
        body targets for two different releases, which are left out).
    """
    seen: dict[str, dict[tuple[int, int], list[int]]] = {}
    for t in body_targets(doc):
        if not t.struck and t.version is not None:
            seen.setdefault(t.stage, {}).setdefault(t.version, []).append(t.line)
    out: dict[str, Value] = {}
    todo = []
    for stage in STAGES:
        versions = seen.get(stage)
        if not versions:
            continue
        label = "GA" if stage == "ga" else stage
        if len(versions) > 1:
            said = " and ".join(f"{show(v)} (line {lines[0]})" for v, lines in sorted(versions.items()))
            todo.append(f"milestone.{stage}: the body targets {label} for {said}")
            continue
        (version, lines), = versions.items()
        where = "lines " + ", ".join(map(str, lines)) if len(lines) > 1 else f"line {lines[0]}"
        out[stage] = Value(show(version), f"body {where}")
    return out, todo


def _status_and_stage(doc: VepDocument, targets: dict[str, Value], dates: Dates) -> tuple[Value, Value | None]:
    shipped = {s: dates.shipped(v.value) for s, v in targets.items()}

    def when(stage):
        release = targets[stage].value
        ga = dates.ga.get(release)
        return f"{release} released {ga.isoformat()}" if ga else f"{release} (no schedule; a later release shipped)"

    if not targets:
        status = Value("provisional", "the body targets no release")
    elif not dates.known:
        status = Value("provisional", "no release schedules (--schedules DIR): whether a target shipped is unknown",
                       "status: no release schedules were found to tell whether a targeted release shipped")
    elif shipped.get("ga"):
        status = Value("implemented", f"GA target {when('ga')}")
    elif any(shipped.values()):
        last = max((s for s in shipped if shipped[s]), key=STAGES.index)
        status = Value("implementable", f"{'GA' if last == 'ga' else last} target {when(last)}")
    else:
        status = Value("provisional", f"no targeted release shipped by {dates.today.isoformat()}")
    if doc.is_process:
        return status, None
    if not targets:
        return status, Value(None, "stage omitted: the body targets no release")
    if status.value == "implemented":
        stage, why = "ga", "the GA target shipped"
    else:  # the stage being worked on, as the review holds it (agent/stage.py)
        found = review_stage(doc, dates.ga, dates.today)
        stage = found.stage
        label = "GA" if stage == "ga" else stage
        why = (f"the highest target, {label} {found.release}, shipped" if found.evidence.startswith("every")
               else f"the lowest target not shipped by {dates.today.isoformat()}: {label} {found.release}")
        if stage is None:
            return status, Value(None, "stage omitted: no targeted release read")
        if stage != "alpha" and stage not in targets:
            return status, Value(None, f"stage omitted: the body targets {stage} for two releases",
                                 f"stage: pick the {stage} release, then set stage")
    graduated = graduated_to(doc)
    if graduated is not None and STAGES.index(graduated[0]) > STAGES.index(stage) and graduated[0] in targets:
        stage, why = graduated[0], f"Implementation History line {graduated[1]} says it graduated"
    if stage == "ga" and status.value == "provisional":
        return status, Value(None, "stage omitted: GA is targeted but no targeted release has shipped",
                             "stage: GA is the only stage targeted and nothing shipped yet")
    return status, Value(stage, why)


def _feature_gate(doc: VepDocument, template) -> Value | None:
    if doc.is_process:
        return None
    facts = gate_facts(doc, template)
    justified = facts.justified
    if justified:
        return Value(None, f"feature-gate omitted: the body opts out (line {justified[0].line})")
    if facts.body:
        gate = next((g for g in facts.body if g.where == "body"), facts.body[0])
        return Value(gate.name, f"from the body (line {gate.line})")
    return Value(TBD, "not inferred: the body names no gate and gives no opt-out",
                 "feature-gate: name the gate, or justify in the body why there is none")


_GIT_LINE_RE = re.compile(r"^(\S+) (\d{4}-\d{2}-\d{2}) (\S*)$")
#: A GitHub no-reply address, ``123+login@users.noreply.github.com`` or ``login@…``.
NOREPLY_RE = re.compile(r"(?:\d+\+)?([A-Za-z0-9][A-Za-z0-9-]{0,38})@users\.noreply\.github\.com", re.I)


class Commit(NamedTuple):
    """The first commit of a file: short hash, author date, author e-mail."""

    commit: str
    date: dt.date
    email: str


def first_commit(path: Path) -> Commit | None:
    """The first commit of ``path``, following renames (``git log --follow``); ``None``
    outside a git checkout or for an untracked file. Never raises."""
    path = Path(path).resolve()
    try:
        out = subprocess.run(["git", "-C", str(path.parent), "log", "--follow", "--format=%h %ad %ae", "--date=short",
                              "--", path.name], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.strip().splitlines() if out.returncode == 0 else []
    m = _GIT_LINE_RE.match(lines[-1]) if lines else None
    try:
        return Commit(m[1], dt.date.fromisoformat(m[2]), m[3]) if m else None
    except ValueError:
        return None


def _from_git(path: Path | None) -> tuple[Value, Value]:
    """``creation-date`` and ``authors`` from the first commit of the file: its author date,
    and its author when the e-mail is a GitHub no-reply address (else ``TBD``)."""
    authors = Value([TBD], "not inferred: the authors' GitHub handles", "authors: the authors' GitHub handles")
    found = first_commit(path) if path is not None else None
    if found is None:
        why = "no git commit of the file found" if path is not None else "git history not read"
        return Value(TBD, f"not inferred: {why}", "creation-date: the day the VEP was proposed"), authors
    created = Value(found.date.isoformat(), f"first commit of the file, {found.commit} (git log --follow)")
    login = NOREPLY_RE.fullmatch(found.email)
    if login:
        authors = Value([f"@{login[1]}"], f"author of {found.commit}, the first commit of the file",
                        "authors: check the first commit's author, add co-authors")
    return created, authors


def infer(doc: VepDocument, template, dates: Dates, path: Path | None = None, git: bool = True) -> dict[str, Value]:
    """The VEP-282 front matter of ``doc`` as the repository says it (module docstring).

    Args:
        doc: the parsed VEP.
        template: :class:`agent.template.Template` (VEP501 reads opt-outs with it).
        dates: :func:`release_dates`.
        path: the file on disk, for ``creation-date`` (``git log --follow``).
        git: read ``creation-date`` from git (``status`` does not need it).

    Returns:
        key -> :class:`Value`, in schema order; ``feature-gate`` and ``stage`` absent for
        process VEPs; ``milestone`` a dict of stage -> :class:`Value` (absent when the body
        targets nothing). Never raises for a readable document.
    """
    targets, milestone_todo = milestone(doc)
    status, stage = _status_and_stage(doc, targets, dates)
    not_named = "not inferred: "
    created, authors = _from_git(path if git else None)
    out: dict[str, Value] = {
        "title": _title(doc, template),
        "vep-number": _number(doc),
        "creation-date": created,
        "status": status,
        "authors": authors,
        "owning-sig": _sig(doc),
        "participating-sigs": Value([], not_named + "other SIGs that must LGTM"),
        "reviewers": Value([TBD], not_named + "assigned by the owning SIG", "reviewers: named after SIG triage"),
        "approvers": Value([TBD], not_named + "assigned by the owning SIG", "approvers: named after SIG triage"),
    }
    gate = _feature_gate(doc, template)
    if gate is not None:
        out["feature-gate"] = gate
    if stage is not None:
        out["stage"] = stage
    if targets or milestone_todo:
        out["milestone"] = Value(targets, None, "; ".join(milestone_todo) or None)
    out["replaces"] = Value("")
    out["superseded-by"] = Value("")
    return out


def todos(values: dict[str, Value]) -> list[str]:
    """What a person must still fill in, one line per field."""
    return [v.todo for v in values.values() if v.todo]
