"""The PyGithub client, with bounded retries, and one-line messages for API failures.

PyGithub's defaults throttle writes by a second and wait up to 60 s per secondary rate
limit; here every wait is bounded by :class:`RetrySettings` (tests use zero waits).
A ``POST`` that fails with a 5xx is not retried: creating a comment is not idempotent, and
a retried ``POST`` could post the sticky comment twice. A 403/429 rate limit is retried
for every method (the request was refused, not done).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass


class UnexpectedAnswer(Exception):
    """The GitHub API answered with JSON of a shape GitHub does not send (a proxy, a fake,
    an API change): one line saying which answer, without the token."""


#: What PyGithub raises while reading such an answer (its own type assertions included).
_SHAPE_ERRORS = (AssertionError, AttributeError, KeyError, TypeError, ValueError)


@contextmanager
def answer_of(what: str):
    """Turn PyGithub's failures on an answer of the wrong shape (``AssertionError``,
    ``TypeError``, ...) inside the block into :class:`UnexpectedAnswer` naming ``what``
    (e.g. "the files of the pull request"), which :func:`api_errors` counts as an API failure."""
    try:
        yield
    except _SHAPE_ERRORS as exc:
        raise UnexpectedAnswer(f"the GitHub API's answer for {what} is not what GitHub sends "
                               f"({type(exc).__name__})") from None


@dataclass(frozen=True)
class RetrySettings:
    """How hard to retry the GitHub API.

    Attributes:
        total: retries per request (after the first try).
        backoff: urllib3 backoff factor in seconds (0 in tests).
        rate_limit_wait: seconds to wait after a secondary rate limit (403 / 429).
        max_rate_limit_wait: give up instead of waiting longer than this for a rate-limit
            reset (primary limits announce the reset time).
    """

    total: int = 3
    backoff: float = 1.0
    rate_limit_wait: float = 20.0
    max_rate_limit_wait: float = 90.0


def make_retry(settings: RetrySettings):
    """A ``github.GithubRetry`` bounded by ``settings`` that does not retry ``POST`` on 5xx."""
    from github import GithubRetry

    class _Retry(GithubRetry):
        def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
            if method.upper() == "POST" and status_code >= 500:
                return False
            return super().is_retry(method, status_code, has_retry_after)

        def get_content(self, resp, url):  # GithubRetry reads the body of a 403: keep it for the error
            content = GithubRetry.get_content(resp, url)
            self._last_content = content
            return content

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            from urllib3.exceptions import MaxRetryError

            try:
                return super().increment(method, url, response, error, _pool, _stacktrace)
            except MaxRetryError:
                content = getattr(self, "_last_content", None)
                if response is not None and response.status in (403, 429) and content:
                    # retries exhausted on a rate limit: the body was consumed while deciding to
                    # retry, so raise with GitHub's message instead of an empty response
                    import json

                    from github import GithubException

                    try:
                        data = json.loads(content)
                    except ValueError:
                        data = {"message": content.decode(errors="replace")[:300]}
                    raise GithubException(response.status, data, dict(response.headers)) from None
                raise

        def get_retry_after(self, response):
            value = super().get_retry_after(response)
            if value is None or self.max_rate_limit_wait is None:
                return value
            return min(value, self.max_rate_limit_wait)  # a Retry-After header never waits unbounded

    from urllib3.util.retry import Retry

    return _Retry(
        total=settings.total,
        connect=settings.total,
        read=0,  # a timed-out read may have been done (a comment posted): do not repeat it
        backoff_factor=settings.backoff,
        backoff_max=max(settings.backoff * 8, 1.0),
        secondary_rate_wait=settings.rate_limit_wait,
        max_rate_limit_wait=settings.max_rate_limit_wait,
        status_forcelist=[429, 500, 502, 503, 504],
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS.union({"GET", "POST", "PATCH"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def make_client(token: str | None, base_url: str, settings: RetrySettings | None = None, timeout: int = 30):
    """A ``github.Github`` for ``base_url`` (``$GITHUB_API_URL``), lazy (objects are fetched
    only when an attribute needs it), without PyGithub's own request pacing."""
    import logging

    from github import Auth, Github

    # PyGithub logs every retry at INFO through a handler bound to the stderr of import time;
    # our own one-line errors say what failed and that it was retried.
    logging.getLogger("github").setLevel(logging.WARNING)
    settings = settings or RetrySettings()
    return Github(
        auth=Auth.Token(token) if token else None,
        base_url=base_url.rstrip("/"),
        timeout=timeout,
        retry=make_retry(settings),
        seconds_between_requests=0,
        seconds_between_writes=0,
        lazy=True,
        user_agent="vep-review",
    )


def describe(exc: BaseException) -> str:
    """One line about a PyGithub or connection failure: status, GitHub's message, and a hint
    for the usual causes (rate limits, missing permissions)."""
    from github import GithubException

    if isinstance(exc, UnexpectedAnswer):
        return str(exc)
    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or (exc.data if isinstance(exc.data, str) else "") or "").strip()
        message = " ".join(message.split())[:300]
        status = exc.status
        hint = ""
        lowered = message.lower()
        if status in (403, 429) and "rate limit" in lowered:
            hint = " (rate limited; retried and gave up: run the command again later)"
        elif status == 403:
            hint = " (the token lacks a permission: see docs/github.md for the workflow's permissions:)"
        elif status == 401:
            hint = " (bad or expired token)"
        elif status and status >= 500:
            hint = " (GitHub server error; retried and gave up)"
        return f"GitHub API error {status}: {message or 'no message'}{hint}"
    reason = getattr(exc, "reason", None)
    text = str(reason or exc).strip().splitlines()
    return f"GitHub API unreachable: {type(exc).__name__}: {text[0][:300] if text else ''}"


def api_errors() -> tuple[type[BaseException], ...]:
    """The exception types that mean "the GitHub API failed" (for ``except``), an answer of
    the wrong shape (:class:`UnexpectedAnswer`) included."""
    import requests
    from github import GithubException
    from urllib3.exceptions import HTTPError

    return (GithubException, requests.RequestException, HTTPError, UnexpectedAnswer)
