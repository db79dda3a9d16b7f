"""Reading a pull request's VEP files and the base branch's settings, as data.

Two sources give the same view of a change:

- :class:`ApiSource` reads through the GitHub REST API (PyGithub): the files a PR changes
  (``GET /repos/{o}/{r}/pulls/{n}/files``), file contents at a commit SHA
  (``GET /repos/{o}/{r}/contents/{path}?ref=SHA``, and ``GET …/git/blobs/{sha}`` for files
  over 1 MB, which the contents API returns without content). A fork PR's head commit is
  readable from the base repository (GitHub keeps it under ``refs/pull/N/head``), so nothing
  is ever fetched from the fork and nothing is checked out.
- :class:`GitSource` reads a local checkout with ``git diff`` / ``git show`` / ``git ls-tree``
  (the ``--dry-run`` mode).

Trust boundary (docs/github.md): only the VEP documents come from the PR head, and they are
parsed as data. Configuration (``.vep-review.yaml``, ``pyproject.toml``), the VEP template
and the list of SIG directories come from the base commit: :func:`materialize_base` writes
them into a temporary directory laid out like the repository, which is then the
``repo_root`` of :func:`agent.engine.build_context`.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Base-branch files that configure the checks (see :mod:`agent.config`, :mod:`agent.template`).
BASE_FILES = (".vep-review.yaml", ".vep-review.yml", "pyproject.toml", "veps/NNNN-vep-template/vep.md")
#: Larger VEP files are not read (a VEP is a few dozen kB; this bounds memory and model cost).
MAX_FILE_BYTES = 10 * 1024 * 1024


class SourceError(Exception):
    """A file or listing could not be read (one-line message); not raised for a file that
    simply does not exist at the given commit."""


@dataclass(frozen=True)
class ChangedFile:
    """One file a change touches.

    Attributes:
        path: path at the head commit (for a removed file: the path it had).
        status: ``added``, ``modified``, ``removed``, ``renamed``, ``copied`` or ``changed``.
        previous_path: the path at the base commit for a rename, else ``None``.
    """

    path: str
    status: str
    previous_path: str | None = None

    @property
    def removed(self) -> bool:
        return self.status == "removed"

    @property
    def base_path(self) -> str:
        """Where to look for the base version."""
        return self.previous_path or self.path


def is_vep_candidate(path: str) -> bool:
    """Whether a changed path may be a VEP document: ``veps/**/vep.md``, a markdown file
    directly under ``veps/<sig>/`` (legacy flat layout), or a markdown file directly in
    ``veps/<sig>/<dir>/`` (a misnamed main document, or a supplementary file: see
    :func:`select_documents`). The template is never one. A file other than markdown loose
    under ``veps/`` or ``veps/<sig>/`` is one too: VEP106 reports where it is."""
    from agent.rules.vep106_stray_file import is_stray

    if is_stray(path):  # an image or diagram loose under veps/ or veps/<sig>/: VEP106 reports its place
        return True
    parts = PurePosixPath(path).parts
    if len(parts) < 3 or parts[0] != "veps" or not path.endswith(".md") or "NNNN-vep-template" in parts:
        return False
    return parts[-1] == "vep.md" or len(parts) in (3, 4)


def select_documents(source, changed: list[ChangedFile], head_ref: str) -> tuple[list[ChangedFile], list[str], list[str]]:
    """The changed files to check, the removed VEP documents and the supplementary files.

    A markdown file in ``veps/<sig>/<dir>/`` other than ``vep.md`` is checked only when the
    directory has no ``vep.md`` at the head commit (one listing per directory), as
    :func:`agent.engine.discover` does for a checkout.

    Returns:
        (to_check, removed_paths, skipped_messages).
    """
    to_check: list[ChangedFile] = []
    removed: list[str] = []
    skipped: list[str] = []
    listings: dict[str, list[str] | None] = {}
    for cf in changed:
        if not is_vep_candidate(cf.path):
            continue
        if cf.removed:
            if cf.path.endswith(".md"):
                removed.append(cf.path)
            continue
        parts = PurePosixPath(cf.path).parts
        if len(parts) == 4 and parts[-1] != "vep.md":
            directory = "/".join(parts[:3])
            if directory not in listings:
                listings[directory] = source.list_dir(directory, head_ref)
            names = listings[directory] or []
            if "vep.md" in names:
                skipped.append(f"{cf.path}: supplementary document beside vep.md, not checked on its own")
                continue
        to_check.append(cf)
    return to_check, removed, skipped


@dataclass
class BaseTree:
    """The base-branch files materialised on disk.

    Attributes:
        root: directory laid out like the repository (``veps/<sig>/`` directories, the
            template, configuration files); its name contains ``digest``, so that a path
            always stands for the same content (the engine caches by path).
        digest: SHA-256 (hex) of everything written, for the result cache key.
        files: repository paths written.
    """

    root: Path
    digest: str
    files: list[str]


def materialize_base(source, base_ref: str, parent: Path) -> BaseTree:
    """Write the base commit's configuration, template and SIG directory names under
    ``parent`` (a fresh temporary directory).

    Raises:
        SourceError: a file or listing could not be read (absent files are fine).
    """
    contents: dict[str, bytes] = {}
    for path in BASE_FILES:
        data = source.read(path, base_ref)
        if data is not None:
            contents[path] = data
    dirs = sorted(source.list_dir("veps", base_ref, dirs_only=True) or [])
    h = hashlib.sha256()
    for path in sorted(contents):
        h.update(path.encode() + b"\0" + hashlib.sha256(contents[path]).digest())
    h.update(b"dirs\0" + "\0".join(dirs).encode())
    digest = h.hexdigest()
    root = parent / f"base-{digest[:16]}"
    (root / "veps").mkdir(parents=True, exist_ok=True)
    for name in dirs:
        if name and "/" not in name and name not in (".", ".."):
            (root / "veps" / name).mkdir(exist_ok=True)
    for path, data in contents.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return BaseTree(root, digest, sorted(contents))


class ApiSource:
    """Files of one repository through the GitHub REST API.

    Args:
        repo: a PyGithub ``Repository`` (lazy is fine).
    """

    def __init__(self, repo):
        self.repo = repo

    def changed_files(self, pull) -> list[ChangedFile]:
        """The files a PR changes (``pull``: a PyGithub ``PullRequest``).

        Raises:
            agent.github.client.UnexpectedAnswer: an answer that is not a list of files.
            github.GithubException: any other API failure (after the client's retries).
        """
        from agent.github.client import answer_of

        out = []
        with answer_of("the files of the pull request"):
            for f in pull.get_files():
                if not isinstance(f.filename, str) or not isinstance(f.previous_filename or "", str):
                    raise TypeError("a file without a name")
                out.append(ChangedFile(path=f.filename, status=f.status, previous_path=f.previous_filename or None))
        return out

    def read(self, path: str, ref: str) -> bytes | None:
        """The file at ``path`` at commit ``ref``; ``None`` when it does not exist there (or
        is a directory).

        Raises:
            SourceError: too large, or a content encoding that cannot be read.
            agent.github.client.UnexpectedAnswer: an answer of the wrong shape.
            github.GithubException: any other API failure (after the client's retries).
        """
        from agent.github.client import answer_of

        with answer_of(f"{path} at {ref[:12]}"):
            content = self._contents(path, ref)
            if content is None or isinstance(content, list):
                return None
            size = content.size or 0
            if size > MAX_FILE_BYTES:
                raise SourceError(f"{path}: {size:,} bytes, larger than the {MAX_FILE_BYTES:,} bytes vep-review reads")
            raw = content.raw_data
            if raw.get("encoding") == "base64" and raw.get("content") is not None and (raw.get("content") or size == 0):
                return base64.b64decode(raw["content"])
            # Files over 1 MB come without content ("encoding": "none"): read the git blob.
            blob = self.repo.get_git_blob(content.sha)
            if blob.encoding != "base64":
                raise SourceError(f"{path}: unexpected blob encoding {blob.encoding!r}")
            return base64.b64decode(blob.content)

    def _contents(self, path: str, ref: str):
        """``repo.get_contents(path, ref)``, or ``None`` when nothing is at ``path``."""
        from github import GithubException, UnknownObjectException

        try:
            return self.repo.get_contents(path, ref=ref)
        except UnknownObjectException:
            return None
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise

    def list_dir(self, path: str, ref: str, dirs_only: bool = False) -> list[str] | None:
        """Names in directory ``path`` at ``ref``; ``None`` when it does not exist.

        Raises:
            agent.github.client.UnexpectedAnswer: an answer of the wrong shape.
            github.GithubException: any other API failure (after the client's retries).
        """
        from agent.github.client import answer_of

        with answer_of(f"the directory {path} at {ref[:12]}"):
            content = self._contents(path, ref)
            if not isinstance(content, list):
                return None
            return [str(c.name) for c in content if not dirs_only or c.type == "dir"]


class GitSource:
    """Files of a local git checkout, read with ``git`` (no network, no checkout).

    Args:
        repo_dir: the checkout (any directory inside it).

    Raises:
        SourceError: not a git checkout.
    """

    def __init__(self, repo_dir: str | Path):
        self.repo_dir = str(repo_dir)
        top = self._git("rev-parse", "--show-toplevel", check=False)
        if top.returncode != 0:
            raise SourceError(f"{repo_dir}: not a git checkout")
        self.repo_dir = top.stdout.decode().strip()

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run(["git", "-C", self.repo_dir, *args], capture_output=True)
        except OSError as exc:
            raise SourceError(f"cannot run git: {exc}") from None
        if check and proc.returncode != 0:
            msg = proc.stderr.decode(errors="replace").strip().splitlines()
            raise SourceError(f"git {' '.join(args)}: {msg[0] if msg else 'failed'}")
        return proc

    def resolve(self, ref: str) -> str:
        """The commit SHA of ``ref``.

        Raises:
            SourceError: unknown revision.
        """
        proc = self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        if proc.returncode != 0:
            raise SourceError(f"{ref}: unknown git revision")
        return proc.stdout.decode().strip()

    def read_ok(self, ref: str) -> bool:
        """Whether ``ref`` names a commit of this checkout."""
        return self._git("cat-file", "-e", f"{ref}^{{commit}}", check=False).returncode == 0

    def changed_files(self, base: str, head: str) -> list[ChangedFile]:
        """Files changed between the merge base of ``base`` and ``head`` and ``head``, as a
        pull request shows them."""
        out = self._git("diff", "--name-status", "-M", "-z", f"{base}...{head}").stdout.decode(errors="replace")
        fields = out.split("\0")
        files: list[ChangedFile] = []
        i = 0
        statuses = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "copied", "T": "changed"}
        while i < len(fields) and fields[i]:
            code = fields[i]
            kind = statuses.get(code[0], "modified")
            if code[0] in "RC":
                files.append(ChangedFile(fields[i + 2], kind, fields[i + 1] if code[0] == "R" else None))
                i += 3
            else:
                files.append(ChangedFile(fields[i + 1], kind))
                i += 2
        return files

    def read(self, path: str, ref: str) -> bytes | None:
        """The file at ``ref``, or ``None`` when it does not exist there (or is not a file)."""
        kind = self._git("cat-file", "-t", f"{ref}:{path}", check=False)
        if kind.returncode != 0 or kind.stdout.decode().strip() != "blob":
            return None
        return self._git("show", f"{ref}:{path}").stdout

    def list_dir(self, path: str, ref: str, dirs_only: bool = False) -> list[str] | None:
        """Names in directory ``path`` at ``ref``; ``None`` when it does not exist."""
        proc = self._git("ls-tree", "-z", f"{ref}:{path}", check=False)
        if proc.returncode != 0:
            return None
        names = []
        for entry in proc.stdout.decode(errors="replace").split("\0"):
            if not entry:
                continue
            meta, _, name = entry.partition("\t")
            if dirs_only and meta.split()[1:2] != ["tree"]:
                continue
            names.append(name)
        return names
