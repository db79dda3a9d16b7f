"""Where the evaluation data lives and how a document is checked the way CI would check it.

Layout (all read-only, never copied into the project):

- ``<corpus>``: a kubevirt/enhancements checkout (default
  ``../shared/corpus/kubevirt-enhancements`` relative to the project root);
- ``<corpus>-history``: every historic version of every VEP file, with ``index.json``
  (list of ``{path, path_at_commit, commit, date, pr, subject, file}``; ``file`` is relative
  to the history directory);
- ``<corpus>/../sig-release``: release schedules (VEP Freeze dates), found by
  :func:`agent.schedules.default_schedules_dir`;
- ``<corpus>/../../evals``: the human-concern sets (``human-concerns-dev.jsonl``,
  ``veps-dev.jsonl``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from agent.config import load_config
from agent.context import CheckContext, sig_dirs
from agent.document import VepDocument, parse
from agent.engine import check_document
from agent.findings import Finding
from agent.schedules import default_schedules_dir, load_freezes
from agent.template import load_template

#: The project root (the directory holding ``agent/`` and ``evals/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Default corpus: the shared kubevirt/enhancements snapshot beside the project.
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "kubevirt-enhancements"
#: The date the deterministic sets are checked on (the VEP Freeze rule compares with it).
#: Fixed so that results do not change with the calendar: between the v1.8 VEP Freeze
#: (2026-01-07) and the v1.9 one (2026-04-30) of the shared schedules, so that both a
#: release whose freeze has passed and one whose freeze is still ahead exist.
DEFAULT_TODAY = dt.date(2026, 3, 1)


class CorpusMissing(FileNotFoundError):
    """The corpus directory does not exist (the message names it)."""


@dataclass(frozen=True)
class HistoricVersion:
    """One entry of the history index.

    Attributes:
        path: the file's current repository path (the chain key over renames).
        path_at_commit: the repository path the file had at ``commit``.
        commit: full commit SHA.
        date: commit date.
        pr: pull request number, or ``None``.
        subject: commit subject.
        file: path of the stored version relative to the history directory.
    """

    path: str
    path_at_commit: str
    commit: str
    date: dt.date
    pr: int | None
    subject: str
    file: str


@dataclass
class Corpus:
    """The evaluation data around one enhancements checkout.

    Attributes:
        root: the enhancements checkout (has ``veps/``).
        today: date used for every deterministic check (:data:`DEFAULT_TODAY`).
    """

    root: Path
    today: dt.date = DEFAULT_TODAY
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, root: str | Path | None = None, today: dt.date | None = None) -> Corpus:
        """The corpus at ``root`` (default :data:`DEFAULT_CORPUS`).

        Raises:
            CorpusMissing: ``root`` has no ``veps/`` directory.
        """
        path = Path(root) if root else DEFAULT_CORPUS
        if not (path / "veps").is_dir():
            raise CorpusMissing(f"{path}: not a kubevirt/enhancements checkout (no veps/ directory)")
        return cls(path.resolve(), today or DEFAULT_TODAY)

    # -- locations ---------------------------------------------------------------------------

    @property
    def history_dir(self) -> Path:
        """``<corpus>-history`` beside the corpus (may not exist)."""
        return self.root.parent / f"{self.root.name}-history"

    @property
    def evals_dir(self) -> Path:
        """``../../evals`` of the corpus (the shared human-concern sets; may not exist)."""
        return self.root.parent.parent / "evals"

    @cached_property
    def freezes(self) -> dict[str, dt.date]:
        """release -> VEP Freeze date from the sig-release checkout beside the corpus
        (empty when there is none)."""
        sched = default_schedules_dir(self.root)
        return dict(load_freezes(str(sched))) if sched else {}

    # -- documents ---------------------------------------------------------------------------

    def vep_paths(self) -> list[str]:
        """Repository paths of the main VEP documents (``veps/<sig>/<n>-<name>/vep.md``),
        sorted; the template is left out."""
        out = []
        for p in sorted((self.root / "veps").glob("*/*/vep.md")):
            rel = p.relative_to(self.root).as_posix()
            if "NNNN-vep-template" not in rel:
                out.append(rel)
        return out

    def read_text(self, repo_path: str) -> str:
        """The text of a corpus file (UTF-8, replacement on bad bytes)."""
        return (self.root / repo_path).read_bytes().decode("utf-8", errors="replace")

    @cached_property
    def history(self) -> list[HistoricVersion]:
        """The history index in stored order (empty when the history is absent)."""
        index = self.history_dir / "index.json"
        if not index.is_file():
            return []
        out = []
        for e in json.loads(index.read_text(encoding="utf-8")):
            out.append(HistoricVersion(e["path"], e.get("path_at_commit") or e["path"], e["commit"],
                                       dt.date.fromisoformat(e["date"]), e.get("pr"), e.get("subject", ""), e["file"]))
        return out

    def history_bytes(self, version: HistoricVersion) -> bytes:
        """The stored content of a historic version."""
        return (self.history_dir / version.file).read_bytes()

    # -- checking ----------------------------------------------------------------------------

    def context(self, *, today: dt.date | None = None, base: VepDocument | None = None, has_base: bool = False,
                labels: frozenset[str] = frozenset(), freezes: dict[str, dt.date] | None = None) -> CheckContext:
        """A :class:`CheckContext` as ``vep-review check`` builds it for a file of this
        checkout: its SIG directories, template, configuration and schedules; ``today``
        defaults to :attr:`today`."""
        if "config" not in self._cache:
            self._cache["config"] = load_config(self.root)
        return CheckContext(
            repo_root=self.root,
            sigs=sig_dirs(self.root),
            template=load_template(str(self.root)),
            config=self._cache["config"],
            base=base,
            has_base=has_base,
            freezes=dict(self.freezes if freezes is None else freezes),
            schedules=default_schedules_dir(self.root),
            today=today or self.today,
            labels=labels,
        )

    def check(self, text: str | bytes, repo_path: str, display: str | None = None, **ctx_kwargs) -> list[Finding]:
        """Parse ``text`` as the document at ``repo_path`` and run every enabled rule
        (``ctx_kwargs`` go to :meth:`context`)."""
        doc = parse(text, display or repo_path, repo_path)
        return check_document(doc, self.context(**ctx_kwargs))


def project_relative(path: Path) -> str:
    """``path`` relative to the project root (``../shared/…`` for the shared data beside it),
    for reports."""
    import os

    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        pass
    try:
        return Path(os.path.relpath(path.resolve(), PROJECT_ROOT)).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path)
