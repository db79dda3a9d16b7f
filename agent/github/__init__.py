"""``vep-review github``: the GitHub Actions front end.

In a workflow (see ``action.yml`` and ``examples/workflows/vep-review.yaml``) it reads the
Actions environment (``GITHUB_EVENT_NAME``, ``GITHUB_EVENT_PATH``, ``GITHUB_REPOSITORY``,
``GITHUB_TOKEN``, ``GITHUB_API_URL``, ``GITHUB_SERVER_URL``, ``GITHUB_STEP_SUMMARY``) and
handles:

- ``issue_comment`` (created, on a pull request): ``/vep-review`` (full review),
  ``/vep-review check`` (deterministic only), ``/vep-review dismiss <fingerprint> [reason]``
  (contest a finding; kept in the comment's state), ``/vep-review help``; the requester must have
  write access (or be allowlisted); the result is one sticky comment, edited in place;
- ``pull_request`` (opened, synchronize, reopened): the deterministic checks as annotations
  and a job summary (introduced findings first, pre-existing ones folded); exit code 1 on
  an error-level finding the PR introduced (any, with ``--full-listing``).

``--dry-run --repo-dir PATH --base REF --head REF [--full] [--format json] [--previous-comment FILE]``
does the same review on a local checkout and prints the comment it would post, or the review
as JSON (no GitHub API). ``--full-listing`` lists every finding as before PR-aware reviews.

The security reasoning (trust boundary, permissions, who may spend model tokens) is in
docs/github.md. PyGithub is imported only when the GitHub API is used.
"""

from __future__ import annotations

import argparse
import os


EPILOG = """\
exit codes: 0 done, nothing to do, or refused; 1 error-level findings introduced by the PR (pull_request event);
2 bad environment, event payload, refs or base-branch configuration; 3 the GitHub API failed
(after bounded retries).

environment: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN,
GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_STEP_SUMMARY; VEP_REVIEW_ALLOWED_USERS,
VEP_REVIEW_BOT_LOGIN, VEP_REVIEW_FULL_LISTING, VEP_REVIEW_SCHEDULES, VEP_REVIEW_MODEL, VEP_REVIEW_MAX_LLM_DOCUMENTS, ANTHROPIC_API_KEY,
ANTHROPIC_BASE_URL.

VEP_REVIEW_PROCESS_CHECKS=true (the Action's process-checks input) adds the VEP7xx process
checks through the GitHub API.
"""


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vep-review github``."""
    from agent.github.gate import DEFAULT_BOT_LOGIN

    env = os.environ.get
    p = argparse.ArgumentParser(
        prog="vep-review github", description="GitHub Actions front end of vep-review (/vep-review comments, PR checks).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--event-name", default=env("GITHUB_EVENT_NAME"), help="event name (default: $GITHUB_EVENT_NAME)")
    p.add_argument("--event-path", default=env("GITHUB_EVENT_PATH"), help="event payload file (default: $GITHUB_EVENT_PATH)")
    p.add_argument("--repo", default=env("GITHUB_REPOSITORY"), metavar="OWNER/REPO",
                   help="repository (default: $GITHUB_REPOSITORY); in --dry-run, used for links only")
    p.add_argument("--allow-users", default=env("VEP_REVIEW_ALLOWED_USERS", ""), metavar="LOGINS",
                   help="logins allowed to run commands without write access (comma or space separated)")
    p.add_argument("--bot-login", default=env("VEP_REVIEW_BOT_LOGIN") or DEFAULT_BOT_LOGIN,
                   help="the account the workflow comments as; only its comments count as the sticky comment")
    p.add_argument("--on-refused", choices=("reply", "ignore"), default="reply",
                   help="what a refused human gets: a short reply (default) or nothing")
    p.add_argument("--schedules", default=env("VEP_REVIEW_SCHEDULES") or None, metavar="DIR",
                   help="kubevirt/sig-release checkout, for VEP Freeze dates")
    p.add_argument("--model", default=env("VEP_REVIEW_MODEL") or None, help="Anthropic model id for the full review")
    p.add_argument("--base-url", default=env("ANTHROPIC_BASE_URL") or None, help="Anthropic-compatible endpoint")
    p.add_argument("--max-llm-documents", type=int, default=_int_env("VEP_REVIEW_MAX_LLM_DOCUMENTS", 10), metavar="N",
                   help="a full review of more changed VEP documents runs the deterministic checks only (default 10)")
    p.add_argument("--retries", type=int, default=3, metavar="N", help="GitHub API retries per request (default 3)")
    p.add_argument("--retry-wait", type=float, default=None, metavar="SECONDS",
                   help="wait after a rate limit, and backoff base (default 20 s rate limit, 1 s backoff; 0 in tests)")
    p.add_argument("--dry-run", action="store_true", help="review a local checkout between --base and --head; print the comment")
    p.add_argument("--repo-dir", metavar="PATH", help="--dry-run: the kubevirt/enhancements checkout")
    p.add_argument("--base", metavar="REF", help="--dry-run: base revision")
    p.add_argument("--head", metavar="REF", help="--dry-run: head revision")
    p.add_argument("--full", action="store_true", help="--dry-run: the full review (LLM too), not only the checks")
    p.add_argument("--label", action="append", default=[], metavar="LABEL", help="--dry-run: a PR label (repeatable)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown", dest="fmt",
                   help="--dry-run: print the comment (markdown, default) or the review as JSON (findings with "
                        "introduced and fingerprint, and the comment's state)")
    p.add_argument("--previous-comment", metavar="FILE",
                   help="--dry-run: an earlier review comment; this run follows its state (new/resolved since, dismissals)")
    p.add_argument("--full-listing", action="store_true",
                   default=env("VEP_REVIEW_FULL_LISTING", "").lower() in ("1", "true", "yes"),
                   help="list every finding in full and annotate them all (no introduced/pre-existing split)")
    return p


def _settings(args):
    from agent.github.client import RetrySettings
    from agent.github.gate import parse_allowlist
    from agent.github.run import Settings

    env = os.environ.get
    retry = RetrySettings(total=max(0, args.retries))
    if args.retry_wait is not None:
        wait = max(0.0, args.retry_wait)
        retry = RetrySettings(total=retry.total, backoff=min(wait, 1.0), rate_limit_wait=wait,
                              max_rate_limit_wait=max(wait, wait * 4))
    token = env("GITHUB_TOKEN") or env("INPUT_GITHUB_TOKEN") or env("INPUT_GITHUB-TOKEN") or None
    return Settings(
        repository=args.repo or "",
        api_url=env("GITHUB_API_URL") or "https://api.github.com",
        server_url=env("GITHUB_SERVER_URL") or "https://github.com",
        token=token,
        step_summary=env("GITHUB_STEP_SUMMARY") or None,
        allowlist=parse_allowlist(args.allow_users),
        bot_login=args.bot_login,
        on_refused=args.on_refused,
        schedules=args.schedules,
        model=args.model,
        base_url=args.base_url,
        retry=retry,
        max_llm_documents=max(0, args.max_llm_documents),
        labels=frozenset(args.label),
        full_listing=args.full_listing,
    )


def main(argv: list[str]) -> int:
    """Entry point of ``vep-review github``; returns the exit code (see ``--help``)."""
    from agent.github.events import EventError
    from agent.github.run import EXIT_GITHUB, EXIT_USAGE, dry_run, error, handle_event

    parser = build_parser()
    if argv[:1] == ["--"]:  # `vep-review github -- --dry-run …`: an old form (action.yml of earlier releases)
        argv = argv[1:]
    args = parser.parse_args(argv)
    settings = _settings(args)
    if args.dry_run:
        missing = [f"--{name.replace('_', '-')}" for name in ("repo_dir", "base", "head") if not getattr(args, name)]
        if missing:
            parser.error(f"--dry-run needs {', '.join(missing)}")
        return dry_run(args.repo_dir, args.base, args.head, args.full, settings, fmt=args.fmt,
                       previous_comment=args.previous_comment)
    try:
        return handle_event(args.event_name, args.event_path, settings)
    except EventError as exc:
        error(str(exc))
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a clear line in the job log, never a traceback
        from agent.extras import from_import_error

        missing = from_import_error(exc, "vep-review github")
        if missing is not None:  # e.g. PyGithub not installed: name the extra to install
            error(str(missing))
            return EXIT_USAGE
        from agent.github.client import api_errors, describe

        if isinstance(exc, api_errors()):
            error(f"GitHub API failed: {describe(exc)}")
            return EXIT_GITHUB
        error(f"unexpected failure: {type(exc).__name__}: {exc}")
        if os.environ.get("VEP_REVIEW_DEBUG"):
            raise
        return EXIT_USAGE


__all__ = ["main", "build_parser"]
