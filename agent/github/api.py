"""A light GitHub REST client for the process checks (VEP7xx) and the Action's first step
(:mod:`agent.github.pregate`), on the standard library only.

The process rules (``agent/rules/vep7*.py``) ask the GitHub API about the tracking issue
and the pull request. They run inside ``vep-review check --github-repo OWNER/NAME`` (with
``$GITHUB_TOKEN``) and inside the Action, so this module must not cost the start-up of
``check`` what PyGithub does (~0.2 s, plus requests and urllib3): it uses ``urllib.request``
and ``json`` and is imported only when a repository is given.

- Every answer is cached for the run (one :class:`RestApi` per run): a tracking issue named
  by several VEPs, or a pull request asked about by two rules, is fetched once.
- A failure (403, 5xx, a timeout, no network) raises :class:`ApiError` with one line saying
  what failed; the rules turn the first such failure of a run into one ``info`` note and
  skip the rest (:meth:`ProcessContext.call`), so an unreachable API never loses the review.
  After a failure the API is not asked again in the same run (answers already cached still
  count): a hanging API costs one timeout per run, not one per VEP.
- A 404 (and a 410 for a deleted issue) is an answer, not a failure: ``None``.
"""

from __future__ import annotations

import json
import os

#: Seconds to wait for one answer; the checks are advisory and must not stall a run.
TIMEOUT = 10.0


class ApiError(Exception):
    """The GitHub API could not answer (HTTP 401/403/429/5xx, timeout, connection refused).
    ``str(exc)`` is one line, without the token."""


class RestApi:
    """Access to one repository's REST API: ``GET`` cached per instance, and :meth:`post`
    (the Action's one refusal reply).

    Args:
        repo: ``OWNER/NAME``.
        token: API token (``$GITHUB_TOKEN``), or ``None`` for anonymous reads.
        api_url: REST base URL (``$GITHUB_API_URL``; tests use a local fake server).
        timeout: seconds per request.
    """

    def __init__(self, repo: str, token: str | None = None, api_url: str = "https://api.github.com",
                 timeout: float = TIMEOUT):
        self.repo = repo
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._token = token
        self._cache: dict[str, object] = {}
        self.broken: ApiError | None = None  # the first failure: no request after it

    def __repr__(self) -> str:  # never the token
        return f"RestApi({self.repo!r}, api_url={self.api_url!r}, token={'set' if self._token else 'none'})"

    def get(self, path: str):
        """``GET {api_url}/repos/{repo}/{path}``: the decoded JSON, or ``None`` for 404/410.

        Raises:
            ApiError: any other failure; after one, every path not yet cached fails the same
                way without a request.
        """
        if path in self._cache:
            return self._cache[path]
        if self.broken is not None:
            raise self.broken
        try:
            value = self._fetch(path)
        except ApiError as exc:
            self.broken = exc
            raise
        self._cache[path] = value
        return value

    def prime(self, path: str, value) -> None:
        """Take ``value`` as the answer for ``path`` (what the event payload already says)."""
        self._cache[path] = value

    def post(self, path: str, body: dict):
        """``POST {api_url}/repos/{repo}/{path}`` with a JSON body (not cached, not retried).

        Raises:
            ApiError: any failure, a 404 included.
        """
        value = self._fetch(path, body)
        if value is None:
            raise ApiError(f"GitHub API error 404 on POST /repos/{self.repo}/{path}: Not Found")
        return value

    def _fetch(self, path: str, body: dict | None = None):
        import urllib.error
        import urllib.request

        url = f"{self.api_url}/repos/{self.repo}/{path}"
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": "vep-review"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        where = f"{'POST' if body is not None else 'GET'} /repos/{self.repo}/{path.split('?')[0]}"
        try:
            request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                return None
            try:
                message = str(json.loads(exc.read() or b"{}").get("message") or "")
            except (ValueError, AttributeError, OSError):
                message = ""
            message = " ".join(message.split())[:200]
            hint = {401: " (bad or expired token)", 403: " (rate limited, or the token lacks a permission)",
                    429: " (rate limited)"}.get(exc.code, " (GitHub server error)" if exc.code >= 500 else "")
            raise ApiError(f"GitHub API error {exc.code} on {where}: {message or 'no message'}{hint}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ApiError(f"GitHub API unreachable on {where}: {type(exc).__name__}: {str(reason)[:200]}") from None
        except ValueError:
            raise ApiError(f"GitHub API answered {where} with something that is not JSON") from None

    def issue(self, number: int) -> dict | None:
        """``GET /repos/{repo}/issues/{number}`` (a pull request is an issue too: it has a
        ``pull_request`` key), or ``None`` when there is none."""
        return self.get(f"issues/{int(number)}")

    def pull(self, number: int) -> dict | None:
        """``GET /repos/{repo}/pulls/{number}`` (labels, body), or ``None``."""
        return self.get(f"pulls/{int(number)}")


#: What :meth:`ProcessContext.call` gives for a request that failed (not the same as the
#: ``None`` of a 404).
FAILED = type("Failed", (), {"__repr__": lambda self: "FAILED", "__bool__": lambda self: False})()


class ProcessContext:
    """What the process rules need besides the document: the API, the pull request under
    review (if any), and the note about a failed API, given once per run.

    Attributes:
        api: :class:`RestApi`.
        pull: the pull request number, ``None`` outside a pull request (``check``): the rules
            about the pull request (VEP703, VEP704) are then skipped.
        failed: the first :class:`ApiError` of the run, once it has been reported.
    """

    def __init__(self, api: RestApi, pull: int | None = None):
        self.api = api
        self.pull = pull
        self.failed: ApiError | None = None
        self.FAILED = FAILED  # for the rules, which do not import this module
        self._said: set[str] = set()

    def __repr__(self) -> str:
        return f"ProcessContext({self.api!r}, pull={self.pull!r})"

    @property
    def repo(self) -> str:
        """``OWNER/NAME``."""
        return self.api.repo

    def once(self, key: str) -> bool:
        """True the first time ``key`` is given in this run (a problem of the pull request
        itself is reported once, not once per VEP it changes)."""
        if key in self._said:
            return False
        self._said.add(key)
        return True

    def call(self, method: str, *args):
        """``self.api.<method>(*args)``.

        Returns:
            ``(value, note)``: on success ``(answer, None)`` (``None`` for a 404); on the run's
            first failure ``(FAILED, one-line note)`` for the rule to report as one ``info``
            problem; on later failures ``(FAILED, None)`` (already said once).
        """
        try:
            return getattr(self.api, method)(*args), None
        except ApiError as exc:
            if self.failed is not None:
                return FAILED, None
            self.failed = exc
            return FAILED, f"{exc}; the process checks (VEP7xx) that needed it were not run."


def pull_from_event(path: str | None = None) -> tuple[int | None, dict | None]:
    """The pull request of the Actions event at ``path`` (default ``$GITHUB_EVENT_PATH``):
    :func:`pull_from_payload` of the file; ``(None, None)`` when it cannot be read."""
    path = path or os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None, None
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None, None
    return pull_from_payload(data)


def pull_from_payload(data) -> tuple[int | None, dict | None]:
    """The pull request of an Actions event payload.

    Returns:
        ``(number, data)``: ``pull_request`` of a ``pull_request`` event, or ``issue`` of a
        comment on a pull request (the issues API's view of the pull request: the same
        ``labels`` and ``body``); ``(None, None)`` otherwise (a payload that is not an
        object included).
    """
    if not isinstance(data, dict):
        return None, None
    pr = data.get("pull_request")
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return pr["number"], pr
    issue = data.get("issue")
    if isinstance(issue, dict) and issue.get("pull_request") and isinstance(issue.get("number"), int):
        return issue["number"], issue
    return None, None


def process_context(repo: str | None, token: str | None, api_url: str | None = None,
                    pull: int | None = None, pull_data: dict | None = None) -> tuple[ProcessContext | None, str | None]:
    """The :class:`ProcessContext` for ``repo``, or why the process checks are skipped.
    ``pull_data`` (the event's view of pull request ``pull``: labels, body) answers for the
    pull request without a request.

    Returns:
        ``(context, None)``, or ``(None, one line saying why)`` when ``repo`` is not
        ``OWNER/NAME`` or there is no token.
    """
    if not repo:
        return None, "process checks (VEP7xx) skipped: they need --github-repo OWNER/NAME and GITHUB_TOKEN"
    if repo.count("/") != 1 or not all(repo.split("/")):
        return None, f"process checks (VEP7xx) skipped: {repo!r} is not OWNER/NAME"
    if not token:
        return None, f"process checks (VEP7xx) skipped: GITHUB_TOKEN is not set (needed to ask {repo} on GitHub)"
    api = RestApi(repo, token, api_url or os.environ.get("GITHUB_API_URL") or "https://api.github.com")
    if pull is not None and isinstance(pull_data, dict) and isinstance(pull_data.get("labels"), list):
        api.prime(f"pulls/{int(pull)}", pull_data)
    return ProcessContext(api, pull), None

