"""``vep-review new --sig SIG --number N --title TITLE``: start a VEP, as ``kepctl create`` does.

Writes ``veps/<sig>/<number>-<slug>/vep.md`` of the enhancements checkout: the VEP-282 front
matter of a new proposal (docs/vep-governance.md, "Front Matter Schema" and "Governance
States": ``status: provisional``, today's ``creation-date``, ``TBD`` reviewers and approvers
until the SIG triages it, ``stage: alpha`` with its milestone ``TBD``), then the checkout's
template (``veps/NNNN-vep-template/vep.md``; without one, a template made of the bundled
required sections of :mod:`agent.template`) with the H1 filled in. The template's "VEP Status
Metadata" section (target releases, signoff checklist) is left out: meta-VEP 282's
``milestone`` block replaces it. The front matter is written by
:func:`agent.commands.migrate.render_block` (ruamel.yaml, schema order and style).

Refuses to overwrite: an existing directory, or another VEP directory with the same number.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from agent.commands.infer import TBD, Value

_SIG_RE = re.compile(r"sig-[a-z0-9][a-z0-9-]*")
_HANDLE_RE = re.compile(r"@?([A-Za-z0-9][A-Za-z0-9-]{0,38})")
_TITLE_H1_RE = re.compile(r"^#\s+.*$", re.M)


def slug(title: str, limit: int = 48) -> str:
    """``"Live migration: the next step!"`` -> ``"live-migration-the-next-step"`` (lower-case
    ASCII words joined by ``-``, cut at a word boundary within ``limit`` characters)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    out = ""
    for w in words:
        if out and len(out) + 1 + len(w) > limit:
            break
        out = f"{out}-{w}" if out else w[:limit]
    return out or "vep"


def _bundled_template() -> str:
    """A template from :data:`agent.template.BUNDLED_SECTIONS`: an H1 and each required
    ``##`` section with a comment asking for its content."""
    from agent.template import BUNDLED_SECTIONS

    parts = ["# VEP #NNNN: Your short, descriptive title\n"]
    for name, _, without_front_matter_only in BUNDLED_SECTIONS:
        if not without_front_matter_only:
            parts.append(f"## {name}\n\n<!--\nWrite the {name} of the proposal (docs/vep-writing-guide.md).\n-->\n")
    # the stages of docs/feature-lifecycle.md, as the kubevirt/enhancements template has them (VEP404, VEP405)
    parts.append("### Alpha\n\n### Beta\n\n#### On-By-Default Readiness\n\n<!--\nWhat must be done before the "
                 "feature is enabled by default.\n-->\n\n### GA\n")
    return "\n".join(parts)


def body(repo_root: Path, number: int, title: str) -> tuple[str, str]:
    """The markdown body of a new VEP and where its template came from.

    Returns:
        ``(text, source)``: the template with the H1 ``# VEP #<number>: <title>`` and without
        the sections a front matter replaces; source is the template's path or ``"bundled"``.
    """
    from agent.document import parse
    from agent.template import TEMPLATE_PATH, load_template

    path = repo_root / TEMPLATE_PATH
    try:
        text, source = path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError):
        text, source = _bundled_template(), "bundled"
    template = load_template(str(repo_root))
    lines = text.replace("\r\n", "\n").split("\n")
    drop: list[tuple[int, int]] = []
    for s in parse(text, "vep.md", TEMPLATE_PATH).h2():
        required = template.lookup(s.title)
        if required is not None and required.without_front_matter_only:
            drop.append((s.line, s.end_line))
    for start, end in sorted(drop, reverse=True):
        del lines[start - 1:end]
    text = "\n".join(lines)
    h1 = f"# VEP #{number}: {' '.join(title.split())}"
    text, n = _TITLE_H1_RE.subn(lambda _: h1, text, count=1)
    if not n:
        text = f"{h1}\n\n{text}"
    return text.rstrip("\n") + "\n", source


def front_matter(sig: str, number: int, title: str, today: dt.date, authors: list[str],
                 feature_gate: str | None) -> dict[str, Value]:
    """The front matter of a new VEP, as :func:`agent.commands.migrate.render_block` takes it."""
    people = "assigned by the owning SIG after triage (docs/vep-governance.md, Getting Reviewers)"
    values = {
        "title": Value(" ".join(title.split())),
        "vep-number": Value(number, "the tracking issue number"),
        "creation-date": Value(today.isoformat()),
        "status": Value("provisional", "open for design discussion"),
        "authors": Value(authors or ["@github-handle"], None if authors else "your GitHub handle",
                         None if authors else "authors: the authors' GitHub handles"),
        "owning-sig": Value(sig),
        "participating-sigs": Value([], "other SIGs that must LGTM before merge"),
        "reviewers": Value([TBD], people),
        "approvers": Value([TBD], people),
        "feature-gate": Value(feature_gate) if feature_gate else
        Value(TBD, "name the gate, or omit it and justify the opt-out in the body",
              "feature-gate: name the gate, or justify in the body why there is none"),
        "stage": Value("alpha"),
        "milestone": Value({"alpha": Value(TBD, "the release targeted for alpha; set before the VEP Freeze")}),
        "replaces": Value(""),
        "superseded-by": Value(""),
    }
    return values


def _git_handle(repo_root: Path) -> str | None:
    """The GitHub handle git knows: ``github.user``, else a GitHub no-reply ``user.email``
    (:data:`agent.commands.infer.NOREPLY_RE`, as ``migrate`` reads a commit's author)."""
    import subprocess

    from agent.commands.infer import NOREPLY_RE

    for key, rx in (("github.user", _HANDLE_RE), ("user.email", NOREPLY_RE)):
        try:
            value = subprocess.run(["git", "-C", str(repo_root), "config", "--get", key], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        m = rx.fullmatch(value)
        if m:
            return "@" + m[1]
    return None


def create(repo_root: Path, sig: str, number: int, title: str, today: dt.date, authors: list[str] | None = None,
           feature_gate: str | None = None) -> tuple[Path, list[str]]:
    """Write the new VEP.

    Returns:
        ``(path of vep.md, what to fill in)``.

    Raises:
        ValueError: bad SIG, number or title, no ``veps/`` directory, or the VEP directory (or
            another one with this number) exists; one-line message.
        OSError: the directory or file cannot be written (no directory is left behind).
    """
    from agent.commands.infer import todos
    from agent.commands.migrate import render_block

    if not _SIG_RE.fullmatch(sig):
        raise ValueError(f"--sig {sig}: a SIG directory name is written sig-<name>, e.g. sig-compute")
    if number <= 0:
        raise ValueError(f"--number {number}: the tracking issue number is a positive number")
    if not title.strip():
        raise ValueError("--title: the title is empty")
    veps = repo_root / "veps"
    if not veps.is_dir():
        raise ValueError(f"{repo_root}: no veps/ directory (not a kubevirt/enhancements checkout)")
    directory = veps / sig / f"{number}-{slug(title)}"
    if directory.exists():
        raise ValueError(f"{directory}: already exists; not overwritten")
    same = sorted(p for p in veps.glob(f"*/{number}-*") if p.is_dir())
    if same:
        raise ValueError(f"{same[0]}: VEP {number} already exists; not overwritten")
    checked = []
    for a in authors or []:
        m = _HANDLE_RE.fullmatch(a.strip())
        if not m:
            raise ValueError(f"--author {a}: not a GitHub handle")
        checked.append("@" + m[1])
    if not checked:
        found = _git_handle(repo_root)
        checked = [found] if found else []
    values = front_matter(sig, number, title, today, checked, feature_gate)
    text, _ = body(repo_root, number, title)
    content = render_block(values) + "\n" + text
    directory.mkdir(parents=True)
    path = directory / "vep.md"
    try:
        path.write_text(content, encoding="utf-8")
    except OSError:
        directory.rmdir()  # no empty VEP directory left behind to block the next try
        raise
    return path, todos(values)


def run(args) -> int:
    """``vep-review new`` (argparse namespace: sig, number, title, repo, today, author,
    feature_gate). Returns 0, or 2 with a one-line message."""
    from agent.document import find_repo_root

    start = Path(args.repo)
    root = start if (start / "veps").is_dir() else find_repo_root(start.resolve() / "x") or start
    try:
        path, todo = create(root, args.sig, args.number, args.title, args.today or dt.date.today(), args.author,
                            args.feature_gate)
    except (ValueError, OSError) as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: created")
    for item in todo:
        print(f"{path}: to fill in: {item}")
    print(f"Next: fill in the sections, then `vep-review check {path}`.")
    return 0
