"""Everything a rule may need besides the document itself.

A :class:`CheckContext` is built by :func:`agent.engine.build_context`: once per repository
in a run, and once per document that has a base version (the repository-wide parts, such as
the SIG list and the template, are cached).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from agent.config import Config
from agent.document import VepDocument, parse, repo_relative
from agent.template import Template, load_template

#: SIGs assumed when the checked file is not inside an enhancements checkout (the SIG
#: directories of kubevirt/enhancements at the time of writing).
FALLBACK_SIGS = frozenset({"sig-compute", "sig-network", "sig-storage", "sig-observability", "sig-release", "sig-scale"})


class CheckContext:
    """Inputs of the rules beyond the document.

    Attributes:
        repo_root: the enhancements checkout holding the document, if found.
        sigs: SIG directory names under ``veps/`` of that checkout (``sig-*``), or
            :data:`FALLBACK_SIGS` when there is no checkout.
        template: required sections (:mod:`agent.template`).
        config: :class:`agent.config.Config`.
        base: the document as it was in the base version, when a base was given and the
            file existed there.
        has_base: a base version was given (``--base`` / ``--base-file``); with ``base`` ``None``
            this means the file is new in this change.
        freezes: release -> VEP Freeze date (:mod:`agent.schedules`), empty without schedules.
        schedules: the schedules directory ``freezes`` was read from, ``None`` when none was
            given or found (then a release without a freeze date is not worth mentioning).
        today: the date the VEP Freeze rule compares with.
        labels: PR labels, e.g. ``{"freeze-exception"}``.
        new: the VEP counts as new (front matter required): configured, or absent from the base.
        github: :class:`agent.github.api.ProcessContext` for the process checks (VEP7xx), or
            ``None`` when no repository and token are known (the checks are then skipped).
    """

    __slots__ = ("repo_root", "sigs", "template", "config", "base", "has_base", "freezes", "schedules", "today",
                 "labels", "github")

    def __init__(self, repo_root: Path | None = None, sigs: frozenset[str] = FALLBACK_SIGS,
                 template: Template | None = None, config: Config | None = None, base: VepDocument | None = None,
                 has_base: bool = False, freezes: dict[str, dt.date] | None = None, schedules: Path | None = None,
                 today: dt.date | None = None, labels: frozenset[str] = frozenset(), github=None):
        self.repo_root, self.sigs = repo_root, sigs
        self.template = template if template is not None else load_template(None)
        self.config = config if config is not None else Config()
        self.base, self.has_base = base, has_base
        self.freezes: dict[str, dt.date] = freezes if freezes is not None else {}
        self.schedules = schedules
        self.today = today if today is not None else dt.date.today()
        self.labels = labels
        self.github = github

    def __repr__(self) -> str:
        return f"CheckContext(repo_root={self.repo_root!r}, today={self.today}, has_base={self.has_base})"

    @property
    def new(self) -> bool:
        return self.config.new or (self.has_base and self.base is None)


@lru_cache(maxsize=8)
def sig_dirs(repo_root: Path | None) -> frozenset[str]:
    """``sig-*`` directories under ``<repo_root>/veps``; :data:`FALLBACK_SIGS` when there
    is no checkout or it has none."""
    if repo_root is None:
        return FALLBACK_SIGS
    try:
        found = frozenset(p.name for p in (repo_root / "veps").iterdir() if p.is_dir() and p.name.startswith("sig-"))
    except OSError:
        found = frozenset()
    return found or FALLBACK_SIGS


class BaseError(ValueError):
    """The base version cannot be read (bad ref, not a git checkout); one-line message."""


def base_from_git(path: Path, ref: str) -> VepDocument | None:
    """The file at ``path`` as it was at git revision ``ref``.

    Returns:
        the parsed base document, or ``None`` when the file did not exist at ``ref``.

    Raises:
        BaseError: ``path`` is not in a git checkout or ``ref`` is unknown.
    """
    import subprocess  # only with --base: keep it off the start-up path

    path = path.resolve()
    anchor = next((p for p in path.parents if p.is_dir()), Path.cwd())  # a new file's folder may not exist
    try:
        top = subprocess.run(
            ["git", "-C", str(anchor), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise BaseError(f"{path}: --base needs a git checkout") from None
    rel = path.relative_to(Path(top).resolve()).as_posix()
    verify = subprocess.run(["git", "-C", top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], capture_output=True)
    if verify.returncode != 0:
        raise BaseError(f"--base {ref}: unknown git revision")
    shown = subprocess.run(["git", "-C", top, "show", f"{ref}:{rel}"], capture_output=True)
    if shown.returncode != 0:
        return None
    return parse(shown.stdout, f"{ref}:{rel}", repo_relative(path))
