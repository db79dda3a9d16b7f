"""The GitHub front end's work: handle one Actions event, or a local dry run.

- :func:`handle_issue_comment`: ``/vep-review`` commands on pull requests: gate, reaction,
  review (cached per head SHA and configuration), one sticky comment edited in place.
- :func:`handle_pull_request`: ``opened`` / ``synchronize`` / ``reopened``: the
  deterministic checks as annotations (introduced findings) and a job summary; exit 1 on
  error-level findings the PR introduced.
- :func:`handle_dismiss`: ``/vep-review dismiss <fingerprint> [reason]``.
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
from agent.github.gate import DEFAULT_BOT_LOGIN
from agent.github.source import ApiSource, BaseTree, ChangedFile, GitSource, SourceError, materialize_base, select_documents
from agent.github.state import ReviewState
from agent.output.github import escape_data

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_GITHUB = 0, 1, 2, 3
#: Room kept free below GitHub's comment limit (zero-width joiners and markers included).
COMMENT_MAX_CHARS = 60000
#: GitHub's limit for a step summary is 1 MiB; characters here may take up to 3 bytes.
SUMMARY_MAX_CHARS = 340000
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
        full_listing: list every finding in full, as before PR-aware reviews (no
            introduced/pre-existing split, every finding annotated).
        event: the event payload being handled (set by :func:`handle_event`; ``None`` in a
            dry run): the pull request the process checks (VEP7xx) are about.
    """

    repository: str = ""
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    token: str | None = None
    step_summary: str | None = None
    allowlist: frozenset[str] = frozenset()
    bot_login: str = DEFAULT_BOT_LOGIN
    on_refused: str = "reply"
    schedules: str | None = None
    model: str | None = None
    base_url: str | None = None
    retry: RetrySettings = field(default_factory=RetrySettings)
    max_chars: int = COMMENT_MAX_CHARS
    max_llm_documents: int = 10
    today: dt.date | None = None
    labels: frozenset[str] = frozenset()
    full_listing: bool = False
    event: dict | None = None


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
        base_findings: head path -> the deterministic findings of the document's base
            version (at its base path, through renames), ``None`` for a new document.
        touched: head path -> 1-based lines the change created or modified.
        renamed_only: head paths the change only renamed (same bytes).
    """

    items: list
    unreadable: list
    removed: list[str]
    skipped: list[str]
    base: BaseTree
    base_findings: dict = field(default_factory=dict)
    touched: dict = field(default_factory=dict)
    renamed_only: set = field(default_factory=set)


def check_options(settings: Settings):
    """:class:`agent.engine.CheckOptions` of a PR review (schedules, date, labels)."""
    from agent.engine import CheckOptions

    schedules = settings.schedules if settings.schedules and Path(settings.schedules).is_dir() else None
    return CheckOptions(schedules=schedules, today=settings.today, labels=settings.labels)


def items_since(source, prepared: Prepared, since: str, settings: Settings) -> list:
    """``prepared.items`` with, as each document's base version, the document at commit
    ``since`` (the head of the previous review) when it existed there: what the LLM part
    reviews on an update (only what changed since). A document absent at ``since`` keeps
    the pull request's base version.

    Raises:
        SourceError, GitHub API errors: as :func:`prepare`.
    """
    from agent.document import parse
    from agent.engine import build_context

    options = check_options(settings)
    out = []
    for doc, ctx in prepared.items:
        data = source.read(doc.path, since)
        if data is None:
            out.append((doc, ctx))
            continue
        out.append((doc, build_context(options, prepared.base.root, parse(data, f"{short(since)}:{doc.path}", doc.path),
                                       has_base=True)))
    return out


def llm_since(previous, mode: str, head: str, base: str) -> str:
    """The head SHA of the previous review when the LLM part of this review reviews only
    what changed since it (:func:`items_since`): a ``full`` review after an earlier ``full``
    one (``previous``: its :class:`agent.github.state.ReviewState`) of another commit than
    ``head`` and ``base``; ``""`` otherwise."""
    since = previous.head if previous is not None and previous.mode == "full" else ""
    return since if mode == "full" and since and since not in (head, base) else ""


def prepare(source, changed: list[ChangedFile], head: str, base: str, tree: BaseTree, settings: Settings) -> Prepared:
    """Read the changed VEP documents at ``head`` and their base versions at ``base``, and
    build each one's :class:`agent.context.CheckContext` from the base-branch files in
    ``tree`` (:func:`agent.github.source.materialize_base`). The base version (found through
    renames) is also checked at its own path, for :func:`agent.github.state.mark_introduced`.

    Raises:
        agent.config.ConfigError: the base branch's configuration is invalid.
        GitHub API errors: propagated (the caller turns them into exit code 3).
    """
    from agent.document import parse
    from agent.engine import build_context, check_document
    from agent.findings import FileReport
    from agent.github.state import touched_lines

    if settings.schedules and not Path(settings.schedules).is_dir():
        log(f"schedules directory {settings.schedules} does not exist; the VEP Freeze rule has no dates")
    options = check_options(settings)
    to_check, removed, skipped = select_documents(source, changed, head)

    options = options._replace(github=process_checks(source, settings))  # VEP7xx (agent/github/api.py)
    items, unreadable = [], []
    prepared = Prepared(items, unreadable, removed, skipped, tree)
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
        if base_data is None:
            prepared.base_findings[cf.path] = None
            prepared.touched[cf.path] = touched_lines(None, data.decode("utf-8", "replace"))
            continue
        if cf.base_path != cf.path and base_data == data:
            prepared.renamed_only.add(cf.path)
        own = parse(base_data, cf.base_path, cf.base_path)  # the base version where it was
        prepared.base_findings[cf.path] = check_document(own, build_context(options, tree.root, None, has_base=False))
        prepared.touched[cf.path] = touched_lines(base_data.decode("utf-8", "replace"), data.decode("utf-8", "replace"))
    return prepared


def mark_report(report, prepared: Prepared) -> None:
    """Set ``introduced`` on every finding of ``report`` (in place), from the base findings
    and touched lines of ``prepared`` (:func:`agent.github.state.mark_introduced`). A file
    without base facts (unreadable) counts as new."""
    from agent.github.state import mark_introduced

    for fr in report.files:
        if fr.findings:
            fr.findings = mark_introduced(fr.findings, prepared.base_findings.get(fr.path),
                                          prepared.touched.get(fr.path, set()))


@dataclass
class PrReview:
    """A pull request review, ready to render: the report with ``introduced`` set and the
    dismissed findings taken out, and what the sticky comment remembers.

    Attributes:
        report: :class:`agent.engine.Report` of the open findings.
        fingerprints: ``id(finding)`` -> fingerprint, for every finding of ``report``.
        state: the new :class:`agent.github.state.ReviewState`.
        previous: the state of the comment before this run, if any.
        delta: :class:`agent.github.state.Delta` against ``previous`` (``None`` without one).
        dismissed_now: (finding, fingerprint) of the findings left out because dismissed.
        prepared: the :class:`Prepared` documents.
        carried: fingerprint -> state record of earlier LLM findings kept open (see
            :func:`pr_review`).
    """

    report: object
    fingerprints: dict
    state: object
    previous: object
    delta: object
    dismissed_now: list
    prepared: Prepared
    carried: dict = field(default_factory=dict)

    def fp(self, f) -> str:
        """The fingerprint of a finding of :attr:`report`."""
        return self.fingerprints[id(f)]

    @property
    def introduced(self) -> list:
        """The findings of :attr:`report` that the pull request introduced."""
        return [f for f in self.report.findings if f.introduced]

    @property
    def pre_existing(self) -> list:
        """The findings of :attr:`report` already there before the pull request."""
        return [f for f in self.report.findings if not f.introduced]


def pr_review(report, prepared: Prepared, *, head: str, base: str, mode: str, previous=None,
              carry_llm: bool = False) -> PrReview:
    """Mark ``introduced``, take out findings dismissed in ``previous`` (their fingerprint
    still holds, so they stay dismissed) and build the new state (``previous``'s dismissals
    kept).

    ``carry_llm``: the LLM part reviewed only what changed since ``previous.head``, so the
    previous LLM findings that it did not raise again stay open (:attr:`PrReview.carried`)
    instead of counting as resolved, as long as the text they quote is still in the
    document."""
    from agent.github.state import ReviewState, compare, fingerprint, quote_still_there, state_entry

    mark_report(report, prepared)
    dismissed = dict(previous.dismissed) if previous is not None else {}
    fps: dict[int, str] = {}
    dismissed_now = []
    for fr in report.files:
        kept = []
        for f in fr.findings:
            fp = fingerprint(f)
            if fp in dismissed:
                dismissed_now.append((f, fp))
                continue
            fps[id(f)] = fp
            kept.append(f)
        fr.findings = kept
    current: dict[str, dict] = {}
    for f in report.findings:
        entry = current.setdefault(fps[id(f)], state_entry(f))
        entry["introduced"] = entry["introduced"] or bool(f.introduced)
    carried: dict[str, dict] = {}
    if carry_llm and previous is not None:
        texts = {doc.path: doc.text for doc, _ in prepared.items}
        carried = {fp: e for fp, e in previous.findings.items()
                   if e.get("rule", "").startswith("LLM") and fp not in current and e.get("path") in texts
                   and quote_still_there(e, texts[e["path"]])}
        current.update(carried)
    state = ReviewState(head=head, base=base, mode=mode, findings=current, dismissed=dismissed,
                        renamed=len(prepared.renamed_only))
    delta = compare(previous, current) if previous is not None and previous.head else None
    return PrReview(report, fps, state, previous, delta, dismissed_now, prepared, carried)


def process_checks(source, settings: Settings):
    """The process checks' API access (VEP7xx, :mod:`agent.github.api`) for a run on GitHub
    (``source`` reads through the API) when ``$VEP_REVIEW_PROCESS_CHECKS`` is ``true`` (the
    Action's ``process-checks`` input, on by default): the repository and token of
    ``settings``, the pull request of ``settings.event`` (its labels and description from
    the payload). ``None`` otherwise, in a dry run (no GitHub API there), or without a token
    (then one line in the log says they are skipped)."""
    if not isinstance(source, ApiSource) or os.environ.get("VEP_REVIEW_PROCESS_CHECKS", "").lower() != "true":
        return None
    from agent.github.api import process_context, pull_from_payload

    process, skipped = process_context(settings.repository, settings.token, settings.api_url,
                                       *pull_from_payload(settings.event))
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


def review(items, mode: str, settings: Settings, llm_items=None):
    """Run the review of ``items`` in ``mode`` (``check`` or ``full``).

    The deterministic part is always present: when the review graph cannot be loaded or
    fails, its findings are computed here and ``llm_status`` says why the LLM part is missing.
    ``llm_items`` (same documents, other base versions: :func:`items_since`) is what the LLM
    part reviews on an update; the deterministic findings still come from ``items``.

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

        report = review_documents(llm_items or items, llm_options(settings))
        if llm_items is not None:
            checks = deterministic_report(items)
            for fr, own in zip(report.files, checks.files):
                fr.findings = sorted(own.findings + [f for f in fr.findings if f.origin == "llm"],
                                     key=lambda f: f.sort_key())
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


def comment_body(pr: PrReview, *, mode: str, head: str, base: str, settings: Settings,
                 key: CacheKey | None, seconds: float, link_repo: str | None, max_chars: int,
                 summary: bool = False) -> str:
    """The sticky comment (or the job summary when ``summary``): hidden markers (sticky,
    cache key, review state), header, findings, footer. Introduced findings lead and
    pre-existing ones are folded (:func:`agent.github.comment.render_pr_comment`); with
    ``settings.full_listing`` every finding is listed as before
    (:func:`agent.output.markdown.render_markdown`)."""
    from agent.github.comment import render_pr_comment, reviewed_lines
    from agent.output.markdown import code_span, render_markdown

    server = settings.server_url.rstrip("/")
    title = "full review" if mode == "full" else "deterministic checks"
    if link_repo:
        head_ref = f"[{code_span(short(head))}]({server}/{link_repo}/commit/{head})"
        base_ref = f"[{code_span(short(base))}]({server}/{link_repo}/commit/{base})"
        link_base = f"{server}/{link_repo}/blob/{head}"
    else:
        head_ref, base_ref, link_base = code_span(short(head)), code_span(short(base)), None
    foot = [f"vep-review {__version__}"]
    if mode == "check":
        foot.append("deterministic checks only: comment `/vep-review` for the LLM review")
    foot.append(f"took {seconds:.1f} s")
    foot.append("`/vep-review help` lists the commands")
    if not settings.full_listing:
        foot.append("to contest a finding: `/vep-review dismiss <fingerprint> <reason>`")
    epilogue = f"<sub>{' · '.join(foot)}</sub>"
    markers = [] if summary else [STICKY_MARKER, *([key.marker()] if key else []), pr.state.marker()]
    if not settings.full_listing:
        return render_pr_comment(pr, title=title, head_ref=head_ref, base_ref=base_ref, link_base=link_base,
                                 markers=markers, epilogue=epilogue, max_chars=max_chars)
    lines = reviewed_lines(pr.prepared, title=title, head_ref=head_ref, base_ref=base_ref, renamed=False)
    return render_markdown(pr.report, link_base=link_base, marker="\n".join(markers) or None, max_chars=max_chars,
                           preamble="\n".join(lines), epilogue=epilogue)


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


def _reply_once(issue, login: str, bot_login: str) -> str:
    """The refusal reply to ``login`` on ``issue`` (a PyGithub ``Issue``), unless the bot
    already told them there (:func:`agent.github.pregate.told_already`, the marker shared
    with the Action's gate step): at most one reply per user per pull request. Returns one
    line for the log; never raises on an API error."""
    from agent.github.client import api_errors, describe
    from agent.github.pregate import REFUSAL, REFUSED_MARKER, told_already

    try:
        if told_already(((getattr(c.user, "login", None), c.body) for c in issue.get_comments()), login, bot_login):
            return f"not replying: {login} was already told"
        issue.create_comment(f"{REFUSED_MARKER.format(login=login.lower())}\n{REFUSAL}")  # mentions nobody
    except api_errors() as exc:
        return f"cannot reply: {describe(exc)}"
    return f"replied to {login}"


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
    user = get(payload, "comment", "user")
    user = user if isinstance(user, dict) else {}  # not an object: no login, refused by the gate
    repo = _github(settings)
    decision = check_permission(repo, user, get(payload, "comment", "author_association"), settings.allowlist)
    if not decision.allowed:
        log(f"refused: {decision.reason}")
        if settings.on_refused == "reply" and decision.reply:
            log(_reply_once(repo.get_issue(number), str(user.get("login")), settings.bot_login))
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
        if command.kind == "dismiss":
            done, line = handle_dismiss(issue, command, str(user.get("login") or ""), settings)
            log(line)
            _react(command_comment, "+1" if done else "confused")
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
    from agent.github.client import api_errors

    from agent.github.client import UnexpectedAnswer, answer_of

    started = time.monotonic()
    pull = repo.get_pull(number)
    with answer_of(f"pull request #{number}"):
        head, base = pull.head.sha, pull.base.sha
        head_repo = getattr(getattr(pull.head, "repo", None), "full_name", None)
        labels = frozenset(str(label.name) for label in (pull.labels or []))
    if not (isinstance(head, str) and head and isinstance(base, str) and base):
        raise UnexpectedAnswer(f"the GitHub API's answer for pull request #{number} has no head or base commit")
    if head_repo and head_repo != settings.repository:
        log(f"fork pull request from {head_repo}: reading head {short(head)} through the API of "
            f"{settings.repository}, nothing is checked out")
    settings.labels = labels
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
        previous = ReviewState.parse(sticky.body) if sticky is not None else None
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
        llm_items = None
        since = llm_since(previous, command.mode, head, base)
        if since:
            try:
                llm_items = items_since(source, prepared, since, settings)
                log(f"the LLM part reviews what changed since the last reviewed head {short(since)}")
            except (SourceError, *api_errors()) as exc:
                log(f"cannot read the last reviewed head {short(since)} ({exc}); the LLM part reviews the whole change")
        report = review(prepared.items, command.mode, settings, llm_items=llm_items)
        report.files.extend(prepared.unreadable)
        pr = pr_review(report, prepared, head=head, base=base, mode=command.mode, previous=previous,
                       carry_llm=llm_items is not None and llm_state(report, command.mode) == "ok")
        key = CacheKey(head, wanted.config, command.mode, llm_state(report, command.mode))
        seconds = time.monotonic() - started
        body = comment_body(pr, mode=command.mode, head=head, base=base, settings=settings, key=key,
                            seconds=seconds, link_repo=settings.repository, max_chars=settings.max_chars)
        upsert_sticky(issue, sticky, body)
        log(f"{'edited' if sticky is not None else 'posted'} the review comment on #{number} "
            f"({len(pr.introduced)} introduced, {len(pr.pre_existing)} already there, LLM {key.llm})")
        write_summary(settings, comment_body(pr, mode=command.mode, head=head, base=base,
                                             settings=settings, key=None, seconds=seconds,
                                             link_repo=settings.repository, max_chars=SUMMARY_MAX_CHARS, summary=True))
    return EXIT_OK


def handle_dismiss(issue, command: Command, login: str, settings: Settings) -> tuple[bool, str]:
    """Record ``/vep-review dismiss <fingerprint> [reason]`` by ``login`` (already through the
    permission gate) in the sticky comment's state, and take the finding out of the comment.
    Returns (recorded, one line for the log); on a problem (no review yet, unknown
    fingerprint) the requester gets a short reply saying so.
    """
    from agent.github.comment import apply_dismissal
    from agent.github.state import REASON_CHARS

    sticky = find_sticky(issue, settings.bot_login)
    state = ReviewState.parse(sticky.body) if sticky is not None else None
    fp = command.fingerprint or ""
    if state is None:
        issue.create_comment("There is no vep-review comment with findings on this pull request yet: "
                             "comment `/vep-review` or `/vep-review check` first.")
        return False, "dismiss: no review state on this pull request"
    if fp in state.dismissed:
        return True, f"dismiss: {fp} was already dismissed"
    if fp not in state.findings:
        issue.create_comment(f"`{fp}` is not the fingerprint of an open finding of the last review "
                             f"(`{short(state.head)}`); copy it from the review comment.")
        return False, f"dismiss: unknown fingerprint {fp}"
    entry = dict(state.findings.pop(fp))
    state.dismissed[fp] = {"by": login, "reason": (command.reason or "")[:REASON_CHARS], "rule": entry.get("rule", ""),
                           "name": entry.get("name", ""), "path": entry.get("path", ""),
                           "message": entry.get("message", "")}
    sticky.edit(apply_dismissal(sticky.body, state, fp))
    return True, f"dismissed {fp} ({entry.get('rule')} in {entry.get('path')}) for {login}"


def handle_pull_request(payload: dict, settings: Settings) -> int:
    """A pull request was opened, synchronised or reopened: the deterministic checks as
    annotations and a job summary. Returns 1 when the PR introduced an error-level finding
    (or a VEP file is unreadable); with ``settings.full_listing``, on any error-level finding."""
    from agent.config import ConfigError
    from agent.github.client import api_errors, describe
    from agent.output.github import render_github

    action = payload.get("action")
    if not isinstance(action, str) or action not in PR_ACTIONS:
        log(f"ignored: pull_request {action} (only {', '.join(sorted(PR_ACTIONS))})")
        return EXIT_OK
    number = get(payload, "pull_request", "number")
    head, base = get(payload, "pull_request", "head", "sha"), get(payload, "pull_request", "base", "sha")
    if not isinstance(number, int) or not (isinstance(head, str) and head) or not (isinstance(base, str) and base):
        raise EventError("the pull_request payload has no number, head.sha or base.sha")
    labels = get(payload, "pull_request", "labels")
    labels = labels if isinstance(labels, list) else []
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
    previous = None
    try:
        sticky = find_sticky(repo.get_issue(number), settings.bot_login)
        previous = ReviewState.parse(sticky.body) if sticky is not None else None
    except api_errors() as exc:
        log(f"cannot read the review comment ({describe(exc)}); dismissed findings are annotated too")
    pr = pr_review(report, prepared, head=head, base=base, mode="check", previous=previous)
    if settings.full_listing:
        render_github(pr.report, sys.stdout)
    else:
        write_annotations(pr, sys.stdout)
    sys.stdout.flush()
    write_summary(settings, comment_body(pr, mode="check", head=head, base=base, settings=settings,
                                         key=None, seconds=time.monotonic() - started, link_repo=settings.repository,
                                         max_chars=SUMMARY_MAX_CHARS, summary=True))
    log(f"checked {len(prepared.items)} VEP document(s) of #{number}: {len(pr.introduced)} findings introduced, "
        f"{len(pr.pre_existing)} already there, {len(pr.dismissed_now)} dismissed")
    if settings.full_listing:
        return pr.report.exit_code
    unreadable = any(fr.error for fr in pr.report.files) or pr.report.errors
    return EXIT_FINDINGS if unreadable or any(f.severity.value == "error" for f in pr.introduced) else EXIT_OK


def write_annotations(pr: PrReview, out) -> None:
    """Workflow commands for the introduced findings, errors first (GitHub shows the first
    10 of each level on the pull request), and one notice saying how many more findings,
    already there before the PR, the job summary lists. Unreadable files are always an
    error annotation."""
    from agent.output.github import _escape_property, annotation

    for fr in pr.report.files:
        if fr.error:
            out.write(f"::error file={_escape_property(fr.path)}::{escape_data(fr.error)}\n")
    for err in pr.report.errors:
        out.write(f"::error::{escape_data(err)}\n")
    for f in sorted(pr.introduced, key=lambda f: (f.severity.rank, f.sort_key())):
        out.write(annotation(f) + "\n")
    pre = len(pr.pre_existing)
    if pre:
        out.write(f"::notice title=vep-review::{escape_data(f'{pre} more findings, already there before this pull request, are in the job summary.')}\n")
    if pr.report.llm_status:
        out.write(f"::notice::{escape_data(pr.report.llm_status)}\n")


def handle_event(event_name: str | None, event_path: str | None, settings: Settings) -> int:
    """Dispatch on ``$GITHUB_EVENT_NAME``.

    Raises:
        EventError: missing or malformed event.
    """
    if event_name not in ("issue_comment", "pull_request"):
        raise EventError(f"unsupported event {event_name!r}: vep-review handles issue_comment and pull_request")
    payload = load_event(event_path)
    settings.event = payload
    if event_name == "issue_comment":
        return handle_issue_comment(payload, settings)
    return handle_pull_request(payload, settings)


# --------------------------------------------------------------------------- dry run


def dry_run(repo_dir: str, base_ref: str, head_ref: str, full: bool, settings: Settings, out=None, *,
            fmt: str = "markdown", previous_comment: str | None = None) -> int:
    """Review the VEP documents changed between ``base_ref`` and ``head_ref`` of a local
    checkout, reading files with git (no checkout, no GitHub API), and print the comment
    that would be posted (``fmt="markdown"``) or the review as JSON (``fmt="json"``: the
    ``check --format json`` document, each finding with ``introduced`` and ``fingerprint``,
    plus ``comment``: the state the comment would keep, and the changes since the previous
    review). ``previous_comment``: a file holding an earlier comment body, whose state
    (reviewed head, findings, dismissals) this run follows. Returns 0, or 2 when the refs,
    the checkout or that file are unusable."""
    from agent.config import ConfigError

    out = out or sys.stdout
    started = time.monotonic()
    previous = None
    if previous_comment:
        try:
            previous = ReviewState.parse(Path(previous_comment).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"vep-review: error: {previous_comment}: cannot read the previous comment ({exc})", file=sys.stderr)
            return EXIT_USAGE
        if previous is None:
            log(f"{previous_comment} holds no review state; reviewing from scratch")
    try:
        source = GitSource(repo_dir)
        base, head = source.resolve(base_ref), source.resolve(head_ref)
        with tempfile.TemporaryDirectory(prefix="vep-review-") as tmp:
            tree = materialize_base(source, base, Path(tmp))
            prepared = prepare(source, source.changed_files(base, head), head, base, tree, settings)
            mode = "full" if full else "check"
            since = llm_since(previous, mode, head, base)
            llm_items = items_since(source, prepared, since, settings) if since and source.read_ok(since) else None
            report = review(prepared.items, mode, settings, llm_items=llm_items)
            report.files.extend(prepared.unreadable)
            key = CacheKey(head, config_hash(prepared.base, settings), mode, llm_state(report, mode))
    except (SourceError, ConfigError) as exc:
        print(f"vep-review: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pr = pr_review(report, prepared, head=head, base=base, mode=mode, previous=previous,
                   carry_llm=llm_items is not None and key.llm == "ok")
    if fmt == "json":
        out.write(review_json(pr, key))
        return EXIT_OK
    body = comment_body(pr, mode=mode, head=head, base=base, settings=settings, key=key,
                        seconds=time.monotonic() - started, link_repo=settings.repository or None,
                        max_chars=settings.max_chars)
    out.write(body)
    return EXIT_OK


def review_json(pr: PrReview, key: CacheKey | None = None) -> str:
    """The PR review as JSON: the ``check --format json`` contract (version 1) with
    ``introduced`` and ``fingerprint`` on every finding, plus ``comment``::

        {"state": {"head", "base", "mode", "findings": {fp: {…}}, "dismissed": {fp: {"by", "reason", …}},
                   "renamed_only": n},
         "key": "<cache key marker>",
         "introduced": n, "pre_existing": n, "renamed_only": ["path", …],
         "since": {"head": sha, "new": [fp…], "resolved": [fp…], "still_open": [fp…]} | null}
    """
    import json

    from agent.output.jsonfmt import report_to_dict

    data = report_to_dict(pr.report)
    for item, f in zip(data["findings"], pr.report.findings):
        item["fingerprint"] = pr.fp(f)
    delta = pr.delta
    data["comment"] = {
        "state": pr.state.to_dict(),
        "key": key.marker() if key else None,
        "introduced": len(pr.introduced),
        "pre_existing": len(pr.pre_existing),
        "renamed_only": sorted(pr.prepared.renamed_only),
        "since": None if delta is None else {"head": delta.since, "new": sorted(delta.new),
                                             "resolved": sorted(delta.resolved), "still_open": sorted(delta.still_open)},
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
