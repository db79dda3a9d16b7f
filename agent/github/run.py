"""The GitHub front end's work: handle one Actions event, or a local dry run.

- :func:`handle_issue_comment`: ``/vep-review`` commands on pull requests: gate, reaction,
  review (cached per head SHA and configuration), one sticky comment edited in place.
- :func:`handle_pull_request`: ``opened`` / ``synchronize`` / ``reopened``: the
  deterministic checks as annotations and a job summary; exit 1 on error-level findings.
- :func:`dry_run`: the same review on a local checkout between two refs; prints the
  comment it would post.

Exit codes: 0 done (or nothing to do, or refused), 1 error-level findings (pull_request
event only), 2 bad environment, payload or configuration, 3 the GitHub API failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from agent import __version__
from agent.github.client import RetrySettings
from agent.github.comment import STICKY_MARKER, CacheKey, config_error_body, find_sticky, short, upsert_sticky
from agent.github.events import USAGE, Command, EventError, get, load_event, parse_command
from agent.github.source import ApiSource, BaseTree, ChangedFile, GitSource, SourceError, materialize_base, select_documents
from agent.output.github import escape_data

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_GITHUB = 0, 1, 2, 3
#: Room kept free below GitHub's comment limit (zero-width joiners and markers included).
COMMENT_MAX_CHARS = 60000
#: GitHub's limit for a step summary is 1 MiB; characters here may take up to 3 bytes.
SUMMARY_MAX_CHARS = 300000
PR_ACTIONS = frozenset({"opened", "synchronize", "reopened"})


@dataclass
class Settings:
    """Everything a run needs besides the event payload (from the environment and flags).

    Attributes:
        repository: ``OWNER/REPO`` (``$GITHUB_REPOSITORY``).
        api_url: REST API base URL (``$GITHUB_API_URL``; tests use a local server).
        server_url: web URL for links (``$GITHUB_SERVER_URL``).
        token: API token (``$GITHUB_TOKEN``), never printed.
        step_summary: file to append the job summary to (``$GITHUB_STEP_SUMMARY``).
        allowlist: lowercased logins that may run commands without write access.
        bot_login: the account the workflow comments as (``github-actions[bot]``).
        on_refused: ``reply`` (a short comment) or ``ignore`` (log only).
        schedules: a kubevirt/sig-release checkout (VEP Freeze dates), if any.
        model, base_url: LLM options (``None``: the review module's defaults).
        retry: :class:`RetrySettings`.
        max_chars: comment size limit.
        max_llm_documents: a full review of more VEP documents than this runs the
            deterministic checks only (a mass edit of every VEP must not cost hundreds of
            model calls).
        today: date for the VEP Freeze rule.
        labels: the pull request's labels (set from the event or the API; ``--label`` in a
            dry run), e.g. ``freeze-exception``.
    """

    repository: str = ""
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    token: str | None = None
    step_summary: str | None = None
    allowlist: frozenset[str] = frozenset()
    bot_login: str = "github-actions[bot]"
    on_refused: str = "reply"
    schedules: str | None = None
    model: str | None = None
    base_url: str | None = None
    retry: RetrySettings = field(default_factory=RetrySettings)
    max_chars: int = COMMENT_MAX_CHARS
    max_llm_documents: int = 10
    today: dt.date | None = None
    labels: frozenset[str] = frozenset()


def log(message: str) -> None:
    """One line to the job log (standard error)."""
    print(f"vep-review: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """An error line that GitHub shows as an annotation of the run."""
    one_line = " ".join(str(message).split())
    print(f"::error title=vep-review::{escape_data(one_line)}", flush=True)


# --------------------------------------------------------------------------- review core


@dataclass
class Prepared:
    """The documents of a change, ready for review.

    Attributes:
        items: (head document, its context) for every VEP document to check.
        unreadable: file reports for documents that could not be read.
        removed: VEP documents the change deletes (not checked).
        skipped: supplementary files, with the reason.
        base: the materialised base-branch files.
    """

    items: list
    unreadable: list
    removed: list[str]
    skipped: list[str]
    base: BaseTree


def prepare(source, changed: list[ChangedFile], head: str, base: str, tree: BaseTree, settings: Settings) -> Prepared:
    """Read the changed VEP documents at ``head`` and their base versions at ``base``, and
    build each one's :class:`agent.context.CheckContext` from the base-branch files in
    ``tree`` (:func:`agent.github.source.materialize_base`).

    Raises:
        agent.config.ConfigError: the base branch's configuration is invalid.
        GitHub API errors: propagated (the caller turns them into exit code 3).
    """
    from agent.document import parse
    from agent.engine import CheckOptions, build_context
    from agent.findings import FileReport

    schedules = settings.schedules if settings.schedules and Path(settings.schedules).is_dir() else None
    if settings.schedules and schedules is None:
        log(f"schedules directory {settings.schedules} does not exist; the VEP Freeze rule has no dates")
    options = CheckOptions(schedules=schedules, today=settings.today, labels=settings.labels)
    to_check, removed, skipped = select_documents(source, changed, head)

    options = options._replace(github=process_checks(source, settings))  # VEP7xx (agent/github/api.py)
    items, unreadable = [], []
    for cf in to_check:
        try:
            data = source.read(cf.path, head)
            if data is None:
                raise SourceError(f"{cf.path}: not found at the head commit {short(head)}")
            base_data = source.read(cf.base_path, base)
        except SourceError as exc:
            unreadable.append(FileReport(cf.path, [], str(exc)))
            continue
        doc = parse(data, cf.path, cf.path)
        base_doc = parse(base_data, f"{short(base)}:{cf.base_path}", cf.path) if base_data is not None else None
        ctx = build_context(options, tree.root, base_doc, has_base=True)
        items.append((doc, ctx))
    return Prepared(items, unreadable, removed, skipped, tree)


def process_checks(source, settings: Settings):
    """The process checks' API access (VEP7xx, :mod:`agent.github.api`) for a run on GitHub
    (``source`` reads through the API) when ``$VEP_REVIEW_PROCESS_CHECKS`` is ``true`` (the
    Action's ``process-checks`` input, on by default): the repository and token of
    ``settings``, the pull request of the event (its labels and description from the
    payload). ``None`` otherwise, in a dry run (no GitHub API there), or without a token
    (then one line in the log says they are skipped)."""
    if not isinstance(source, ApiSource) or os.environ.get("VEP_REVIEW_PROCESS_CHECKS", "").lower() != "true":
        return None
    from agent.github.api import process_context, pull_from_event

    process, skipped = process_context(settings.repository, settings.token, settings.api_url, *pull_from_event())
    if skipped:
        log(skipped)
    return process


def deterministic_report(items):
    """:class:`agent.engine.Report` of the deterministic checks on ``items``."""
    from agent.engine import Report, check_document
    from agent.findings import FileReport

    return Report(files=[FileReport(doc.path, check_document(doc, ctx)) for doc, ctx in items])


def llm_options(settings: Settings):
    """``agent.review.LlmOptions`` for a full review."""
    from agent.review import LlmOptions

    return LlmOptions(enabled=True, model=settings.model, base_url=settings.base_url)


def review(items, mode: str, settings: Settings):
    """Run the review of ``items`` in ``mode`` (``check`` or ``full``).

    The deterministic part is always present: when the review graph cannot be loaded or
    fails, its findings are computed here and ``llm_status`` says why the LLM part is missing.

    Returns:
        :class:`agent.engine.Report`.
    """
    if mode != "full":
        return deterministic_report(items)
    if len(items) > settings.max_llm_documents:
        report = deterministic_report(items)
        report.llm_status = (f"skipped: {len(items)} VEP documents changed, more than the {settings.max_llm_documents} "
                             "the LLM review takes at once (max-llm-documents)")
        return report
    try:
        from agent.review import review_documents

        report = review_documents(items, llm_options(settings))
    except Exception as exc:  # noqa: BLE001 - the deterministic part must survive any LLM failure
        report = deterministic_report(items)
        text = " ".join(str(exc).split())[:300]
        report.llm_status = f"LLM review not run: {type(exc).__name__}: {text}" if text else \
            f"LLM review not run: {type(exc).__name__}"
    return report


def llm_state(report, mode: str) -> str:
    """``skipped`` (check mode), ``ok`` (the LLM part ran completely: :mod:`agent.review`
    reports ``ran: …``) or ``failed`` (``skipped: …`` for want of a key, ``partial: …``,
    ``failed: …``, or the review could not be run at all): only ``ok`` results are reused."""
    if mode != "full":
        return "skipped"
    return "ok" if (report.llm_status or "").startswith("ran:") else "failed"


def _tool_digest() -> str:
    """Hash of the installed review code and prompts (a change of prompt invalidates the
    result cache)."""
    root = Path(__file__).resolve().parent.parent  # the agent package
    h = hashlib.sha256(__version__.encode())
    candidates = [root / "review.py", root / "graph.py", root / "llm", root / "prompts", root.parent / "prompts"]
    if os.environ.get("VEP_REVIEW_PROMPTS"):
        candidates.append(Path(os.environ["VEP_REVIEW_PROMPTS"]))
    for c in candidates:
        files = sorted(p for p in c.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if c.is_dir() \
            else ([c] if c.is_file() else [])
        for p in files:
            try:
                h.update(p.name.encode() + b"\0" + p.read_bytes())
            except OSError:
                continue
    return h.hexdigest()


def config_hash(tree: BaseTree, settings: Settings) -> str:
    """What a result depends on besides the head commit: the base-branch files, the tool's
    version and prompts, the model, labels, schedules and which VEP Freezes have passed on
    ``settings.today`` (a result from before a freeze must not answer after it: the VEP
    Freeze rule's verdict may differ) (12 hex digits)."""
    h = hashlib.sha256()
    h.update(tree.digest.encode())
    h.update(_tool_digest().encode())
    model = settings.model or os.environ.get("VEP_REVIEW_MODEL") or "default"
    h.update(f"\0model={model}\0labels={','.join(sorted(settings.labels))}".encode())
    if settings.schedules and Path(settings.schedules).is_dir():
        for p in sorted(Path(settings.schedules).rglob("schedule.yaml")):
            try:
                h.update(str(p.relative_to(settings.schedules)).encode() + p.read_bytes())
            except OSError:
                continue
        from agent.schedules import load_freezes

        today = settings.today or dt.date.today()
        passed = sorted(release for release, freeze in load_freezes(str(settings.schedules)).items() if freeze <= today)
        h.update(f"\0freezes-passed={','.join(passed)}".encode())
    return h.hexdigest()[:12]


def comment_body(report, prepared: Prepared, *, mode: str, head: str, base: str, settings: Settings,
                 key: CacheKey | None, seconds: float, link_repo: str | None, max_chars: int,
                 summary: bool = False) -> str:
    """The sticky comment (or the job summary when ``summary``): markers, header, findings
    (:func:`agent.output.markdown.render_markdown`), footer."""
    from agent.output.markdown import code_span, render_markdown

    server = settings.server_url.rstrip("/")
    title = "full review" if mode == "full" else "deterministic checks"
    if link_repo:
        head_ref = f"[{code_span(short(head))}]({server}/{link_repo}/commit/{head})"
        link_base = f"{server}/{link_repo}/blob/{head}"
    else:
        head_ref, link_base = code_span(short(head)), None
    n = len(prepared.items) + len(prepared.unreadable)
    lines = [f"### vep-review: {title}", "",
             f"Reviewed head commit {head_ref} against base {code_span(short(base))}: "
             f"{n} VEP document{'s' * (n != 1)}."]
    if n == 0:
        lines.append("")
        lines.append("This pull request changes no VEP document (`veps/<sig>/<number>-<name>/vep.md`).")
    if prepared.removed:
        lines.append("")
        lines.append("Deleted in this pull request, not checked: " + ", ".join(code_span(p) for p in prepared.removed) + ".")
    if prepared.skipped:
        lines.append("")
        lines.append("Not checked: " + "; ".join(code_span(s) for s in prepared.skipped) + ".")
    foot = [f"vep-review {__version__}"]
    if mode == "check":
        foot.append("deterministic checks only: comment `/vep-review` for the LLM review")
    foot.append(f"took {seconds:.1f} s")
    foot.append("`/vep-review help` lists the commands")
    marker = None if summary else f"{STICKY_MARKER}\n{key.marker()}" if key else STICKY_MARKER
    return render_markdown(report, link_base=link_base, marker=marker, max_chars=max_chars,
                           preamble="\n".join(lines), epilogue=f"<sub>{' · '.join(foot)}</sub>")


def write_summary(settings: Settings, text: str) -> None:
    """Append ``text`` to the job summary file, if there is one."""
    if not settings.step_summary:
        return
    try:
        with open(settings.step_summary, "a", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        log(f"cannot write the job summary ({exc})")


# --------------------------------------------------------------------------- events


def _github(settings: Settings):
    from agent.github.client import make_client

    if not settings.repository or "/" not in settings.repository:
        raise EventError("GITHUB_REPOSITORY is not set (OWNER/REPO)")
    gh = make_client(settings.token, settings.api_url, settings.retry)
    return gh.get_repo(settings.repository)


def _react(comment, content: str) -> None:
    """Add a reaction; a failure is logged, never fatal."""
    from agent.github.client import api_errors, describe

    try:
        comment.create_reaction(content)
    except api_errors() as exc:
        log(f"cannot add the {content} reaction: {describe(exc)}")


def handle_issue_comment(payload: dict, settings: Settings) -> int:
    """A comment was created, edited or deleted. Returns the exit code."""
    from agent.github.client import api_errors, describe
    from agent.github.gate import check_permission

    action = payload.get("action")
    if action != "created":
        log(f"ignored: comment {action or 'event without action'} (only new comments are commands)")
        return EXIT_OK
    if not get(payload, "issue", "pull_request"):
        log("ignored: the comment is on an issue, not on a pull request")
        return EXIT_OK
    command = parse_command(get(payload, "comment", "body"))
    if command is None:
        log("ignored: the comment is not a /vep-review command")
        return EXIT_OK
    number, comment_id = get(payload, "issue", "number"), get(payload, "comment", "id")
    if not isinstance(number, int) or not isinstance(comment_id, int):
        raise EventError("the issue_comment payload has no issue.number or comment.id")
    user = get(payload, "comment", "user", default={}) or {}
    repo = _github(settings)
    decision = check_permission(repo, user, get(payload, "comment", "author_association"), settings.allowlist)
    if not decision.allowed:
        log(f"refused: {decision.reason}")
        if settings.on_refused == "reply" and not decision.bot:
            try:
                repo.get_issue(number).create_comment(
                    "`/vep-review` can only be run by collaborators with write access to this repository. "
                    "The deterministic checks run on every push: see the **vep-review** check of this pull request.")
            except api_errors() as exc:
                log(f"cannot reply: {describe(exc)}")
        return EXIT_OK
    log(f"/vep-review {command.kind} on #{number}: {decision.reason}")
    issue = repo.get_issue(number)
    command_comment = issue.get_comment(comment_id)
    _react(command_comment, "eyes")
    try:
        if command.kind == "help":
            prefix = f"Unknown command `{command.unknown}`.\n\n" if command.unknown and "`" not in command.unknown else ""
            issue.create_comment(prefix + USAGE)
            return EXIT_OK
        status = _review_pull_request(repo, issue, number, command, settings)
    except api_errors() as exc:
        error(f"GitHub API failed: {describe(exc)}")
        _react(command_comment, "confused")
        return EXIT_GITHUB
    except (EventError, SourceError) as exc:
        error(str(exc))
        _react(command_comment, "confused")
        return EXIT_USAGE
    _react(command_comment, "rocket" if status == EXIT_OK else "confused")
    return status


def _review_pull_request(repo, issue, number: int, command: Command, settings: Settings) -> int:
    from agent.config import ConfigError

    started = time.monotonic()
    pull = repo.get_pull(number)
    head, base = pull.head.sha, pull.base.sha
    head_repo = getattr(getattr(pull.head, "repo", None), "full_name", None)
    if head_repo and head_repo != settings.repository:
        log(f"fork pull request from {head_repo}: reading head {short(head)} through the API of "
            f"{settings.repository}, nothing is checked out")
    settings.labels = frozenset(label.name for label in (pull.labels or []))
    source = ApiSource(repo)
    with tempfile.TemporaryDirectory(prefix="vep-review-") as tmp:
        try:
            tree = materialize_base(source, base, Path(tmp))
        except SourceError as exc:
            error(f"cannot read the base branch files: {exc}")
            return EXIT_USAGE
        wanted = CacheKey(head, config_hash(tree, settings), command.mode)
        sticky = find_sticky(issue, settings.bot_login)
        stored = CacheKey.parse(sticky.body) if sticky is not None else None
        if stored is not None and stored.satisfies(wanted):
            log(f"reused: the comment already holds the {stored.mode} review of {short(head)} with this configuration")
            write_summary(settings, f"vep-review: the review comment already holds the {stored.mode} review of "
                                    f"`{short(head)}` with this configuration; nothing was recomputed.")
            return EXIT_OK
        try:
            prepared = prepare(source, source.changed_files(pull), head, base, tree, settings)
        except ConfigError as exc:
            error(f"the base branch configuration is invalid: {exc}")
            upsert_sticky(issue, sticky, config_error_body(str(exc), base))
            return EXIT_USAGE
        report = review(prepared.items, command.mode, settings)
        report.files.extend(prepared.unreadable)
        key = CacheKey(head, wanted.config, command.mode, llm_state(report, command.mode))
        seconds = time.monotonic() - started
        body = comment_body(report, prepared, mode=command.mode, head=head, base=base, settings=settings, key=key,
                            seconds=seconds, link_repo=settings.repository, max_chars=settings.max_chars)
        upsert_sticky(issue, sticky, body)
        log(f"{'edited' if sticky is not None else 'posted'} the review comment on #{number} "
            f"({len(report.findings)} findings, LLM {key.llm})")
        write_summary(settings, comment_body(report, prepared, mode=command.mode, head=head, base=base,
                                             settings=settings, key=None, seconds=seconds,
                                             link_repo=settings.repository, max_chars=SUMMARY_MAX_CHARS, summary=True))
    return EXIT_OK


def handle_pull_request(payload: dict, settings: Settings) -> int:
    """A pull request was opened, synchronised or reopened: the deterministic checks as
    annotations and a job summary. Returns 1 when an error-level finding exists."""
    from agent.config import ConfigError
    from agent.github.client import api_errors, describe
    from agent.output.github import render_github

    action = payload.get("action")
    if action not in PR_ACTIONS:
        log(f"ignored: pull_request {action} (only {', '.join(sorted(PR_ACTIONS))})")
        return EXIT_OK
    number = get(payload, "pull_request", "number")
    head, base = get(payload, "pull_request", "head", "sha"), get(payload, "pull_request", "base", "sha")
    if not isinstance(number, int) or not head or not base:
        raise EventError("the pull_request payload has no number, head.sha or base.sha")
    labels = get(payload, "pull_request", "labels", default=[]) or []
    settings.labels = frozenset(str(lb.get("name")) for lb in labels if isinstance(lb, dict) and lb.get("name"))
    started = time.monotonic()
    try:
        repo = _github(settings)
        source = ApiSource(repo)
        with tempfile.TemporaryDirectory(prefix="vep-review-") as tmp:
            tree = materialize_base(source, base, Path(tmp))
            prepared = prepare(source, source.changed_files(repo.get_pull(number)), head, base, tree, settings)
            report = deterministic_report(prepared.items)
            report.files.extend(prepared.unreadable)
    except api_errors() as exc:
        error(f"GitHub API failed: {describe(exc)}")
        return EXIT_GITHUB
    except (ConfigError, SourceError) as exc:
        error(f"cannot prepare the check: {exc}")
        return EXIT_USAGE
    render_github(report, sys.stdout)
    sys.stdout.flush()
    write_summary(settings, comment_body(report, prepared, mode="check", head=head, base=base, settings=settings,
                                         key=None, seconds=time.monotonic() - started, link_repo=settings.repository,
                                         max_chars=SUMMARY_MAX_CHARS, summary=True))
    log(f"checked {len(prepared.items)} VEP document(s) of #{number}: {len(report.findings)} findings")
    return report.exit_code


def handle_event(event_name: str | None, event_path: str | None, settings: Settings) -> int:
    """Dispatch on ``$GITHUB_EVENT_NAME``.

    Raises:
        EventError: missing or malformed event.
    """
    if event_name not in ("issue_comment", "pull_request"):
        raise EventError(f"unsupported event {event_name!r}: vep-review handles issue_comment and pull_request")
    payload = load_event(event_path)
    if event_name == "issue_comment":
        return handle_issue_comment(payload, settings)
    return handle_pull_request(payload, settings)


# --------------------------------------------------------------------------- dry run


def dry_run(repo_dir: str, base_ref: str, head_ref: str, full: bool, settings: Settings, out=None) -> int:
    """Review the VEP documents changed between ``base_ref`` and ``head_ref`` of a local
    checkout, reading files with git (no checkout, no GitHub API), and print the comment
    that would be posted. Returns 0, or 2 when the refs or the checkout are unusable."""
    from agent.config import ConfigError

    out = out or sys.stdout
    started = time.monotonic()
    try:
        source = GitSource(repo_dir)
        base, head = source.resolve(base_ref), source.resolve(head_ref)
        with tempfile.TemporaryDirectory(prefix="vep-review-") as tmp:
            tree = materialize_base(source, base, Path(tmp))
            prepared = prepare(source, source.changed_files(base, head), head, base, tree, settings)
            mode = "full" if full else "check"
            report = review(prepared.items, mode, settings)
            report.files.extend(prepared.unreadable)
            key = CacheKey(head, config_hash(prepared.base, settings), mode, llm_state(report, mode))
    except (SourceError, ConfigError) as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    body = comment_body(report, prepared, mode=mode, head=head, base=base, settings=settings, key=key,
                        seconds=time.monotonic() - started, link_repo=settings.repository or None,
                        max_chars=settings.max_chars)
    out.write(body)
    return EXIT_OK
