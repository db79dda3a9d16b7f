"""The deterministic review: find VEP documents, run every enabled rule on each, apply the
configuration and inline suppressions, and return findings.

This is the core that ``vep-review check``, the review graph, the GitHub front end and the
evals all call. It imports nothing heavy (no anthropic, langgraph or PyGithub).
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from agent.config import Config, ConfigError, inline_disabled, load_config
from agent.context import BaseError, CheckContext, base_from_git, sig_dirs
from agent.document import VepDocument, find_repo_root, parse, read, repo_relative
from agent.findings import FileReport, Finding, Severity
from agent.rules import Problem, Rule, all_rules
from agent.schedules import ScheduleError, default_schedules_dir, load_freezes
from agent.template import load_template

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "NNNN-vep-template"}


class UsageError(ValueError):
    """Bad arguments or unreadable inputs as a whole (one-line message, exit code 2)."""


class CheckOptions(NamedTuple):
    """Options of one run (the CLI flags of ``vep-review check``).

    Attributes:
        base_ref: git revision of the base version (``--base``).
        base_file: a file holding the base version (``--base-file``; one checked file only).
        schedules: sig-release checkout or its ``releases/`` folder (``--schedules``).
        today: date for the VEP Freeze rule (``--today``); default: today.
        labels: PR labels (``--label``), e.g. ``freeze-exception``.
        config: explicit configuration file (``--config``).
        new: treat VEPs as new, front matter required (``--new``).
        as_path: repository path to check a single file as (``--as-path``), e.g. for a
            historic version stored elsewhere or standard input.
        github: :class:`agent.github.api.ProcessContext` for the process checks (VEP7xx,
            ``--github-repo``), ``None`` to skip them.
    """

    base_ref: str | None = None
    base_file: str | None = None
    schedules: str | None = None
    today: dt.date | None = None
    labels: frozenset[str] = frozenset()
    config: str | None = None
    new: bool = False
    as_path: str | None = None
    github: object = None


class Report:
    """The result of checking several files.

    Attributes:
        files: one :class:`FileReport` per checked file, in the order checked.
        errors: one-line problems with inputs that are not files (exit code 2).
        skipped: named files that are not VEP documents (supplementary files beside a
            ``vep.md``), with the reason.
        llm_status: one line on the LLM part (set by the review graph), ``None`` for
            ``check``.
        usage: model usage figures (set by the review graph).
    """

    def __init__(self, files: list[FileReport] | None = None, errors: list[str] | None = None,
                 skipped: list[str] | None = None, llm_status: str | None = None, usage: dict | None = None):
        self.files: list[FileReport] = files if files is not None else []
        self.errors: list[str] = errors if errors is not None else []
        self.skipped: list[str] = skipped if skipped is not None else []
        self.llm_status = llm_status
        self.usage: dict = usage if usage is not None else {}

    def __repr__(self) -> str:
        return f"Report({len(self.files)} files, {len(self.findings)} findings, errors={self.errors!r})"

    @property
    def findings(self) -> list[Finding]:
        """All findings of all files."""
        return [f for fr in self.files for f in fr.findings]

    @property
    def exit_code(self) -> int:
        """ruff's convention: 2 when an input could not be read, 1 when an error-level
        finding exists, else 0."""
        if self.errors or any(fr.error for fr in self.files):
            return 2
        return 1 if any(f.severity is Severity.ERROR for f in self.findings) else 0


def is_supplementary(path: Path) -> bool:
    """A markdown file beside a ``vep.md`` in a VEP directory (an appendix, a beta plan):
    part of the VEP, not a VEP document of its own."""
    return path.name != "vep.md" and path.suffix == ".md" and (path.parent / "vep.md").is_file() \
        and path.parent.parent.parent.name == "veps"


def discover(paths: list[str]) -> tuple[list[Path], list[str], list[str]]:
    """Expand the command line's paths into VEP documents.

    A file is taken as given. A directory is searched for VEP documents: every ``vep.md``,
    every markdown file directly under ``veps/<sig>/`` (legacy flat layout), and the
    markdown file of a ``veps/<sig>/<dir>/`` that has no ``vep.md`` (misnamed main
    document); supplementary files beside a ``vep.md`` and the template are skipped. Files
    other than markdown directly under ``veps/`` or ``veps/<sig>/`` (images, diagrams; not
    ``OWNERS``) are taken too: VEP106 reports their place.

    Returns:
        (documents, errors, skipped): errors are one-line messages for paths that do not
        exist or directories without VEP documents; skipped are named supplementary files
        (:func:`is_supplementary`), so that a pre-commit hook passing every changed
        ``veps/**.md`` does not check an appendix as a VEP.
    """
    docs: list[Path] = []
    errors: list[str] = []
    skipped: list[str] = []
    for raw in paths:
        p = Path(raw)
        if raw == "-":
            docs.append(p)
            continue
        if p.is_file():
            if is_supplementary(p.resolve()):
                skipped.append(f"{raw}: supplementary document beside vep.md, not checked on its own")
            else:
                docs.append(p)
            continue
        if not p.exists() or not p.is_dir():
            errors.append(f"{raw}: {_not_checkable(p)}")
            continue
        found = _search(p)
        if not found:
            errors.append(f"{raw}: no VEP documents found (looked for vep.md files under veps/<sig>/)")
        docs.extend(found)
    return docs, errors, skipped


def _not_checkable(p: Path) -> str:
    """Why ``p``, neither a regular file nor a directory, cannot be checked (one line)."""
    import errno
    import stat

    try:
        mode = os.stat(p).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link points, directly or not, back to itself)"
        if os.path.islink(p):
            return f"no such file (broken symbolic link to {os.readlink(p)})"
        if exc.errno == errno.ENOENT:
            return "no such file or directory"
        return f"cannot read ({exc.strerror or exc})"
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "of an unknown kind")
    return f"not a regular file ({kind})"


def _search(directory: Path) -> list[Path]:
    from agent.rules.vep106_stray_file import is_stray

    markdown: list[Path] = []
    loose: list[Path] = []
    for folder, subdirs, files in os.walk(directory):  # not Path.rglob: it would walk .git too
        subdirs[:] = [d for d in subdirs if d not in _SKIP_DIRS and not d.startswith(".")]
        markdown.extend(Path(folder, name) for name in files if name.endswith(".md"))
        if Path(folder).name == "veps" or Path(folder).parent.name == "veps":  # loose images, diagrams (VEP106)
            loose.extend(Path(folder, name) for name in files if not name.endswith(".md")
                         and not name.startswith(".") and is_stray(repo_relative(Path(folder, name))))
    found: list[Path] = []
    for md in sorted(markdown + loose):
        if md.name == "vep.md" or not md.name.endswith(".md"):
            found.append(md)
            continue
        parts = Path(repo_relative(md)).parts
        if len(parts) == 3 and parts[0] == "veps":  # veps/<sig>/<file>.md: legacy flat VEP
            found.append(md)
        elif len(parts) == 4 and parts[0] == "veps" and not (md.parent / "vep.md").exists():
            siblings = sorted(md.parent.glob("*.md"))
            if siblings and siblings[0] == md:  # one misnamed main document per directory
                found.append(md)
    return found


def check_document(doc: VepDocument, ctx: CheckContext, rules: list[Rule] | None = None) -> list[Finding]:
    """Run the enabled rules on one parsed document.

    A rule that raises is reported as an ``internal-error`` finding; the findings of every
    other rule are kept. Documents that are binary or empty get only the document-family
    findings (VEP0xx).

    A file under ``veps/`` that is not markdown gets only the rules that judge any file
    (``ANY_FILE``: where it is placed, VEP106).

    Returns:
        findings sorted by line, severity and rule, configuration and inline
        ``<!-- vep-review: disable=… -->`` applied.
    """
    rules = all_rules() if rules is None else rules
    cfg = ctx.config
    suppressed = inline_disabled(doc.text) if "<!--" in doc.text else set()
    unusable = "binary" in doc.notes or not doc.text or doc.text.isspace()  # (strip() would copy a large text)
    # a file under veps/ that is not markdown (an image, a diagram) is judged by its place only
    other_file = doc.info.in_veps and not doc.info.file_name.lower().endswith((".md", ".markdown"))
    legacy = doc.front_matter is None and not ctx.new
    out: list[Finding] = []
    for rule in rules:
        if not cfg.is_enabled(rule.id, rule.enabled_by_default) or rule.id in suppressed:
            continue
        if other_file:
            if not rule.any_file:
                continue
        elif unusable and not rule.id.startswith("VEP0"):
            continue
        try:
            problems = list(rule.check(doc, ctx))
        except Exception as exc:  # noqa: BLE001 - a broken rule must not hide the others
            out.append(_internal_error(doc, rule, exc))
            continue
        for p in problems:
            out.append(_finding(doc, rule, p, cfg, legacy))
    out.sort(key=Finding.sort_key)
    return out


def _finding(doc: VepDocument, rule: Rule, p: Problem, cfg: Config, legacy: bool) -> Finding:
    severity = p.severity or rule.severity
    if legacy and severity == "error" and rule.legacy_severity:
        severity = rule.legacy_severity
    severity = cfg.severity.get(rule.id, severity)
    section = p.section
    if section is None and p.line is not None:
        s = doc.section_at(p.line)
        section = s.title if s is not None else None
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=Severity(severity),
        path=doc.path,
        line=p.line,
        message=p.message,
        fix=p.fix if p.fix is not None else rule.fix,
        section=section,
        source=rule.source,
        category=rule.family,
    )


def _internal_error(doc: VepDocument, rule: Rule, exc: Exception) -> Finding:
    return Finding(
        rule="VEP000",
        name="internal-error",
        severity=Severity.ERROR,
        path=doc.path,
        line=None,
        message=f"rule {rule.id} ({rule.name}) failed: {type(exc).__name__}: {exc}",
        fix="Report this at the vep-review issue tracker with the document; other rules still ran.",
        source="vep-review",
    )


def build_context(options: CheckOptions, repo_root: Path | None, base: VepDocument | None = None,
                  has_base: bool = False) -> CheckContext:
    """Assemble the :class:`CheckContext` for the documents of the repository at
    ``repo_root`` (with a base version: for the one document it is the base of).

    Raises:
        agent.config.ConfigError, agent.schedules.ScheduleError: bad configuration or
            schedules directory.
    """
    config = load_config(repo_root, options.config)
    if options.new:
        config.new = True
    schedules = options.schedules or default_schedules_dir(repo_root)
    if options.schedules and not Path(options.schedules).is_dir():
        raise ScheduleError(f"{options.schedules}: no such schedules directory")
    # freeze dates matter only for a change against a base (VEP302): read them only then
    freezes = load_freezes(str(schedules)) if schedules and has_base else {}
    return CheckContext(
        repo_root=repo_root,
        sigs=sig_dirs(repo_root),
        template=load_template(str(repo_root) if repo_root else None),
        config=config,
        base=base,
        has_base=has_base,
        freezes=freezes,
        schedules=Path(schedules) if schedules else None,
        today=options.today or dt.date.today(),
        labels=options.labels,
        github=options.github,
    )


def check_paths(paths: list[str], options: CheckOptions | None = None, stdin: bytes | None = None) -> Report:
    """Check files and directories; the whole of ``vep-review check``.

    Args:
        paths: files, directories, or ``"-"`` for ``stdin``.
        options: :class:`CheckOptions`.
        stdin: content to check for the path ``"-"``.

    Returns:
        :class:`Report`. Never raises for bad documents; configuration, base and
        schedule problems are raised as :class:`UsageError`.
    """
    options = options or CheckOptions()
    report = Report()
    docs, report.errors, report.skipped = discover(paths)
    validate(docs, options)
    # the process checks ask the GitHub API: one process, one answer cache, one note on failure
    workers = min(_cpus(), len(docs) // PARALLEL_MIN_FILES) if options.github is None else 1
    if workers > 1 and "-" not in [str(d) for d in docs]:
        report.files = _check_in_parallel(docs, options, workers)
    else:
        report.files = _check_files(docs, options, stdin)
    return report


#: Below this many files per worker process, checking in one process is faster.
PARALLEL_MIN_FILES = 16


def _cpus() -> int:
    """The CPUs this process may run on (its affinity mask, as ``taskset`` or a container
    sets it, where the platform has one), not every CPU of the machine."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _check_in_parallel(docs: list[Path], options: CheckOptions, workers: int) -> list[FileReport]:
    """Check ``docs`` in ``workers`` processes: ``workers - 1`` forked children and this
    process, already warm, take documents from one queue, largest first, until it is empty
    (:func:`_queue`: no pool to start, no import of multiprocessing, and no process idles
    while another still has work). The order of ``docs`` is kept. Documents taken by a child
    that fails are checked here again, so no finding is lost; if this process fails or is
    interrupted, the children are stopped and reaped. Without ``os.fork``, or with other
    threads running (forking them is unsafe), everything is checked in this process."""
    import threading

    if not hasattr(os, "fork") or threading.active_count() > 1:
        return _check_files(docs, options, None)
    import pickle
    import signal

    order = _largest_first(docs)
    queue, step = _queue(len(order))
    contexts: dict = {}  # see load()
    children: dict[int, int] = {}  # pid -> read end of the pipe its results come back on
    try:
        for _ in range(workers - 1):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: take documents, send back the reports (or the usage error)
                status = 1
                try:
                    os.close(read_end)
                    try:
                        result: dict[int, FileReport] | UsageError = _take(queue, order, step, docs, options, contexts)
                    except UsageError as exc:
                        result = exc
                    with os.fdopen(write_end, "wb") as out:
                        pickle.dump(result, out)
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            children[pid] = read_end
        by_index = _take(queue, order, step, docs, options, contexts)
        for pid in list(children):
            with os.fdopen(children.pop(pid), "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if status == 0 and data:
                result = pickle.loads(data)
                if isinstance(result, UsageError):
                    raise result
                by_index.update(result)
    finally:  # this process failed or was interrupted: stop and reap the children left
        os.close(queue)
        for pid, read_end in children.items():
            os.close(read_end)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    lost = [i for i in range(len(docs)) if i not in by_index]  # taken by a child that failed
    by_index.update(zip(lost, _check_files([docs[i] for i in lost], options, None)))
    return [by_index[i] for i in range(len(docs))]


#: At most this many records in the queue: 4 KiB, less than a pipe's buffer holds (64 KiB
#: on Linux, 16 KiB on macOS), so that writing them all before forking cannot block.
_QUEUE_RECORDS = 1024


def _largest_first(docs: list[Path]) -> list[int]:
    """Indices of ``docs``, largest file first (unreadable ones count as empty)."""
    sizes = []
    for path in docs:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    return sorted(range(len(docs)), key=lambda i: -sizes[i])


def _queue(n: int) -> tuple[int, int]:
    """The work queue of :func:`_check_in_parallel`, as make's jobserver hands out job
    tokens: a pipe holding one 4-byte record per batch of ``step`` of ``n`` documents, read
    one record at a time by every process (a read of 4 bytes is atomic, so each batch goes
    to one process only).

    Returns:
        ``(read end of the pipe, its write end already closed; step)``: record ``k`` stands
        for the documents ``k * step`` to ``(k + 1) * step - 1`` of the list being shared.
    """
    step = max(1, -(-n // _QUEUE_RECORDS))  # ceiling division: at most _QUEUE_RECORDS records
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(k.to_bytes(4, "little") for k in range(-(-n // step))))
    finally:
        os.close(write_end)
    return read_end, step


def _take(queue: int, order: list[int], step: int, docs: list[Path], options: CheckOptions,
          contexts: dict) -> dict[int, FileReport]:
    """Check documents taken from ``queue`` (see :func:`_queue`; record ``k`` stands for
    ``order[k * step:(k + 1) * step]``, indices in ``docs``) until it is empty.

    Returns:
        index in ``docs`` -> its :class:`FileReport`.
    """
    out: dict[int, FileReport] = {}
    while record := os.read(queue, 4):
        k = int.from_bytes(record, "little")
        batch = order[k * step:(k + 1) * step]
        out.update(zip(batch, _check_files([docs[i] for i in batch], options, None, contexts)))
    return out


def _check_files(docs: list[Path], options: CheckOptions, stdin: bytes | None,
                 contexts: dict | None = None) -> list[FileReport]:
    """Check each file in this process; see :func:`check_paths`. ``contexts``: see :func:`load`."""
    files: list[FileReport] = []
    contexts = {} if contexts is None else contexts
    for path in docs:
        loaded = load(path, options, stdin, contexts)
        files.append(loaded if isinstance(loaded, FileReport) else FileReport(loaded[0].path, check_document(*loaded)))
    return files


def validate(docs: list[Path], options: CheckOptions) -> None:
    """Raise :class:`UsageError` for options that need exactly one checked file."""
    if options.base_file and len(docs) != 1:
        raise UsageError("--base-file needs exactly one checked file")
    if options.as_path and len(docs) != 1:
        raise UsageError("--as-path needs exactly one checked file")


def display_path(path: Path, repo_root: Path | None, as_path: str | None = None) -> str:
    """The path findings name a checked file by: relative to the root of the repository
    that holds it (POSIX separators), whatever the working directory and however the file
    was named (relative, absolute, through a symbolic link), so that SARIF viewers, GitHub
    annotations and PR comments can place it.

    The repository root is the git work tree's top (the nearest ancestor with ``.git``)
    when it holds ``repo_root``, else ``repo_root`` (the directory holding ``veps/``); a
    file in neither is shown as named. ``as_path`` (``--as-path``) wins: a file, or standard
    input, checked as if it were there is reported there. Standard input without it is
    ``<stdin>``.
    """
    if as_path:
        return PurePosixPath(as_path.replace("\\", "/")).as_posix().lstrip("/")
    if str(path) == "-":
        return "<stdin>"
    absolute = os.path.abspath(path)  # the file's own name kept: a symbolic link is shown where it is
    real = Path(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    top = _git_top(str(repo_root) if repo_root is not None else str(real.parent))
    for root in (top, repo_root):
        if root is not None:
            try:
                return real.relative_to(root).as_posix()
            except ValueError:
                continue
    return str(path)


@lru_cache(maxsize=256)
def _git_top(directory: str) -> Path | None:
    """The nearest of ``directory`` and its ancestors that holds a ``.git`` entry (a work
    tree's top: ``.git`` is a directory, or a file in a linked worktree), or ``None``."""
    for d in (Path(directory), *Path(directory).parents):
        if os.path.lexists(d / ".git"):
            return d
    return None


def load(path: Path, options: CheckOptions, stdin: bytes | None, contexts: dict) -> tuple[VepDocument, CheckContext] | FileReport:
    """Read one document (``"-"``: ``stdin``) with its base version and build its context.

    ``contexts``, a dict kept across the documents of one run, holds the contexts of
    documents without a base version by repository root (configuration, SIG directories
    and template are the same for all the documents of a repository).

    Returns:
        ``(doc, ctx)``, or a :class:`FileReport` whose ``error`` says in one line why the file
        could not be read.

    Raises:
        UsageError: bad configuration, base revision or schedules directory (these concern
            the whole run, not one file).
    """
    is_stdin = str(path) == "-"
    display = "<stdin>" if is_stdin else str(path)
    try:
        repo_root = find_repo_root(Path.cwd() if is_stdin else path)
        display = display_path(path, repo_root, options.as_path)
        if is_stdin:
            doc = parse(stdin or b"", display, options.as_path or "vep.md")
        else:
            doc = read(str(path), display, options.as_path)
        base, has_base = None, False
        if options.base_file:
            has_base = True
            base = read(options.base_file, options.base_file, doc.info.repo_path)
        elif options.base_ref:
            has_base = True
            if is_stdin:
                if not options.as_path:
                    raise UsageError("--base with standard input needs --as-path (the file's path in the repository)")
                base = base_from_git((repo_root or Path.cwd()) / options.as_path, options.base_ref)
            else:
                base = base_from_git(path, options.base_ref)
        if has_base:
            return doc, build_context(options, repo_root, base, has_base)
        if repo_root not in contexts:
            contexts[repo_root] = build_context(options, repo_root)
        return doc, contexts[repo_root]
    except UsageError:
        raise
    except (ConfigError, BaseError, ScheduleError) as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # UnreadableDocument and anything unexpected about one file
        return FileReport(display, [], str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
