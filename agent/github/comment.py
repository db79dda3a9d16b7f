"""The one sticky PR comment: its hidden markers, the result cache key, and the comment text.

The comment starts with two hidden HTML comments::

    <!-- vep-review:sticky -->
    <!-- vep-review:key head=<sha> config=<hash> mode=<full|check> llm=<ok|skipped|failed> -->

The first finds the comment again (only among comments written by the workflow's own
account, so that nobody can plant a fake one); the second is the result cache: a request
for the same head commit, configuration (base-branch files, vep-review version, prompts,
model, labels) and mode reuses the comment instead of paying for another review. A full
review whose LLM part did not complete is not reused; a complete full review also answers
a later ``check`` request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STICKY_MARKER = "<!-- vep-review:sticky -->"
_KEY_RE = re.compile(r"<!-- vep-review:key ([^>]*?) -->")


@dataclass(frozen=True)
class CacheKey:
    """What a result depends on.

    Attributes:
        head: head commit SHA.
        config: hash of the configuration (see :func:`agent.github.run.config_hash`).
        mode: ``full`` or ``check``.
        llm: ``ok`` (the LLM part completed), ``skipped`` (check mode) or ``failed``.
    """

    head: str
    config: str
    mode: str
    llm: str = "skipped"

    def marker(self) -> str:
        """The hidden HTML comment."""
        return f"<!-- vep-review:key head={self.head} config={self.config} mode={self.mode} llm={self.llm} -->"

    @classmethod
    def parse(cls, body: str) -> CacheKey | None:
        """The key in a comment body, or ``None``."""
        m = _KEY_RE.search(body or "")
        if not m:
            return None
        fields = dict(part.split("=", 1) for part in m.group(1).split() if "=" in part)
        if not {"head", "config", "mode"} <= fields.keys():
            return None
        return cls(fields["head"], fields["config"], fields["mode"], fields.get("llm", "skipped"))

    def satisfies(self, wanted: CacheKey) -> bool:
        """Whether a stored result with this key answers the request ``wanted``."""
        if self.head != wanted.head or self.config != wanted.config:
            return False
        if self.mode == wanted.mode:
            return self.mode == "check" or self.llm == "ok"
        return self.mode == "full" and self.llm == "ok" and wanted.mode == "check"


def find_sticky(issue, bot_login: str):
    """The sticky comment on ``issue`` (a PyGithub ``Issue``), or ``None``: the first comment
    holding :data:`STICKY_MARKER` whose author is ``bot_login`` (case-insensitive).

    Raises:
        agent.github.client.UnexpectedAnswer: the comment list has the wrong shape.
        github.GithubException: any other API failure.
    """
    from agent.github.client import answer_of

    with answer_of("the comments of the pull request"):
        for comment in issue.get_comments():
            login = str(getattr(comment.user, "login", None) or "")
            if login.lower() == bot_login.lower() and STICKY_MARKER in str(comment.body or ""):
                return comment
    return None


def upsert_sticky(issue, sticky, body: str):
    """Edit ``sticky`` in place (``PATCH``), or create the comment when there is none
    (``POST``). Returns the comment."""
    if sticky is not None:
        sticky.edit(body)
        return sticky
    return issue.create_comment(body)


def config_error_body(message: str, base: str) -> str:
    """The sticky comment when the base branch's vep-review configuration cannot be read:
    the reason (inert: shown as code) and where to fix it. It carries no cache key, so the
    next request tries again."""
    from agent.output.markdown import code_block

    return (f"{STICKY_MARKER}\n### vep-review: not run\n\n"
            f"The vep-review configuration of the base branch (`{short(base)}`) is invalid, so the VEP "
            f"documents of this pull request were not reviewed:\n\n{code_block(message)}\n\n"
            "Fix `.vep-review.yaml` (or `[tool.vep-review]` in `pyproject.toml`) on the base branch, "
            "then comment `/vep-review` again.\n")


def short(sha: str) -> str:
    """The first 12 hex digits of a commit SHA, as the comment shows it ("" for none)."""
    return (sha or "")[:12]


# --------------------------------------------------------------------------- the PR comment

_COUNTS_OPEN, _COUNTS_CLOSE = "<!-- vep-review:counts -->", "<!-- /vep-review:counts -->"
_DISMISSED_OPEN, _DISMISSED_CLOSE = "<!-- vep-review:dismissed -->", "<!-- /vep-review:dismissed -->"
_LEVEL_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Notes"}


def rule_doc_url(rule: str) -> str:
    """The documentation of ``rule`` (:func:`agent.output.sarif.doc_url`: the rule's module,
    whose docstring is its documentation, or docs/llm-review.md for LLM findings)."""
    from agent.output.sarif import doc_url

    return doc_url(rule)


def fp_span(fp: str) -> str:
    """A fingerprint as it is shown (a code span: one click selects it)."""
    return f"`{fp}`"


_RULE_ID_RE = re.compile(r"^(?:VEP\d{3}|LLM\d{3}|LLM-[A-Za-z0-9-]{1,40})$")


def _rule_ref(rule: str) -> str:
    """``rule`` in bold, linked to its documentation when it looks like a rule ID (a state
    record is read back from a comment, so anything else is shown inert)."""
    from agent.output.markdown import inert

    if not _RULE_ID_RE.match(rule or ""):
        return f"**{inert(rule or '', 40)}**"
    return f"**[{rule}]({rule_doc_url(rule)})**"


def finding_item(f, fp: str, link_base: str | None, *, tag: str = "", compact: bool = False) -> str:
    """One finding as a list item: line link, rule (linked to its documentation), name,
    message, section, fingerprint; unless ``compact``, the fix and the LLM quote too.
    Text from the VEP or the model is rendered inert."""
    from agent.output.markdown import finding_item as item

    return item(f, link_base, rule=_rule_ref(f.rule), suffix=f" · {fp_span(fp)}{tag}", compact=compact,
                message_limit=240 if compact else 1500)


def _record_item(fp: str, e: dict, extra: str = "") -> str:
    """A state record (:func:`agent.github.state.state_entry`) as a list item."""
    from agent.output.markdown import code_span, inert

    return (f"- {fp_span(fp)} {_rule_ref(e.get('rule', ''))} {code_span(e.get('name', '')[:80] or '?')} "
            f"in {code_span(e.get('path', ''))}: {inert(e.get('message', ''), 200)}{extra}")


def counts_block(state) -> str:
    """The counts line, computed from the state (so that a dismissal can refresh it)."""
    from agent.findings import counts_text

    introduced = {"error": 0, "warning": 0, "info": 0}
    pre = 0
    for e in state.findings.values():
        if e.get("introduced"):
            introduced[e.get("severity", "warning")] = introduced.get(e.get("severity", "warning"), 0) + 1
        else:
            pre += 1
    if any(introduced.values()):
        line = f"**Introduced by this pull request: {counts_text(introduced)}.**"
    else:
        line = "**Nothing introduced by this pull request.**"
    more = [f"already there before it: {pre}"]
    if state.renamed:
        more.append(f"VEP documents only renamed: {state.renamed}")
    if state.dismissed:
        more.append(f"dismissed: {len(state.dismissed)}")
    return f"{_COUNTS_OPEN}\n{line} ({'; '.join(more)})\n{_COUNTS_CLOSE}"


def dismissed_block(state) -> str:
    """The folded list of dismissed findings (who, why), between hidden markers."""
    from agent.output.markdown import inert

    if not state.dismissed:
        return f"{_DISMISSED_OPEN}\n{_DISMISSED_CLOSE}"
    items = [_record_item(fp, e, f" (dismissed by {inert('@' + e.get('by', '?'), 60)}"
                          f"{': ' + inert(e['reason'], 200) if e.get('reason') else ''})")
             for fp, e in state.dismissed.items()]
    return (f"{_DISMISSED_OPEN}\n<details><summary>Dismissed: {len(items)}</summary>\n\n" + "\n".join(items)
            + f"\n\n</details>\n{_DISMISSED_CLOSE}")


class _Budget:
    def __init__(self, limit: int):
        self.left = limit

    def take(self, text: str) -> bool:
        if len(text) + 1 > self.left:
            return False
        self.left -= len(text) + 1
        return True


def reviewed_lines(prepared, *, title: str, head_ref: str, base_ref: str, renamed: bool) -> list[str]:
    """The heading of the comment or job summary and what was reviewed (markdown lines):
    the head and base commits, how many VEP documents (with ``renamed``, how many of them
    the pull request only renamed), and the deleted and skipped files.
    ``prepared``: :class:`agent.github.run.Prepared`."""
    from agent.output.markdown import code_span

    n = len(prepared.items) + len(prepared.unreadable)
    only_renamed = f" ({len(prepared.renamed_only)} only renamed)" if renamed and prepared.renamed_only else ""
    lines = [f"### vep-review: {title}", "",
             f"Reviewed head commit {head_ref} against base {base_ref}: {n} VEP document{'s' * (n != 1)}{only_renamed}."]
    if n == 0:
        lines += ["", "This pull request changes no VEP document (`veps/<sig>/<number>-<name>/vep.md`)."]
    if prepared.removed:
        lines += ["", "Deleted in this pull request, not checked: " + ", ".join(code_span(p) for p in prepared.removed)
                  + "."]
    if prepared.skipped:
        lines += ["", "Not checked: " + "; ".join(code_span(s) for s in prepared.skipped) + "."]
    return lines


def render_pr_comment(pr, *, title: str, head_ref: str, base_ref: str, link_base: str | None, markers: list[str],
                      epilogue: str, max_chars: int) -> str:
    """The sticky comment (or job summary) of a PR review (:class:`agent.github.run.PrReview`).

    Layout: hidden markers; title; what was reviewed (head and base linked); the counts
    line; "since the last review" (new / resolved / still open); the introduced findings in
    full, per file and severity, each with its fingerprint; folded (``<details>``): the
    findings resolved since the last review, the findings already there before the PR (a
    file the PR only renamed adds only to the count), the dismissed findings; the LLM
    status and usage; the footer. At most ``max_chars`` characters: introduced findings
    first, then the folded lists, with a note of how many were left out.
    """
    from agent.output.markdown import code_span, inert, render_usage

    report, state, delta, prepared = pr.report, pr.state, pr.delta, pr.prepared
    n_docs = len(prepared.items) + len(prepared.unreadable)
    head_lines = [*markers, *reviewed_lines(prepared, title=title, head_ref=head_ref, base_ref=base_ref,
                                            renamed=True), "", counts_block(state)]
    for err in report.errors:
        head_lines.append(f"- could not check: {inert(err)}")
    for fr in report.files:
        if fr.error:
            head_lines.append(f"- {code_span(fr.path)} could not be read: {inert(fr.error)}")
    since = short(delta.since) if delta is not None else ""
    if delta is not None:
        head_lines += ["", f"Since the last review ({code_span(since)}): {len(delta.new)} new, "
                           f"{len(delta.resolved)} resolved, {len(delta.still_open)} still open."]

    tail: list[str] = ["", dismissed_block(state)]
    if report.llm_status:
        tail += ["", f"**LLM review:** {inert(report.llm_status, 400)}"]
    usage = render_usage(report.usage)
    if usage:
        tail += ["", f"<sub>{usage}</sub>"]
    tail += ["", epilogue]

    budget = _Budget(max_chars - len("\n".join(head_lines)) - len("\n".join(tail)) - 400)
    body: list[str] = []
    left_out = 0
    new_tag = f" 🆕 _new since {code_span(since)}_" if delta is not None else ""

    # introduced findings, in full, worst first across files
    introduced = [f for f in report.findings if f.introduced]
    by_file: dict[str, dict[str, list[str]]] = {}
    for f in sorted(introduced, key=lambda f: (f.severity.rank, f.sort_key())):
        fp = pr.fp(f)
        tag = new_tag if delta is not None and fp in delta.new else ""
        item = finding_item(f, fp, link_base, tag=tag)
        heading = f"#### {code_span(f.path)}" if f.path not in by_file else ""
        title_line = f"**{_LEVEL_TITLE[f.severity.value]}**" if f.severity.value not in by_file.get(f.path, {}) else ""
        if not budget.take(item + heading + title_line + "\n\n\n"):
            left_out += 1
            continue
        by_file.setdefault(f.path, {}).setdefault(f.severity.value, []).append(item)
    for path, levels in by_file.items():
        body += ["", f"#### {code_span(path)}"]
        for level in ("error", "warning", "info"):
            if levels.get(level):
                body += ["", f"**{_LEVEL_TITLE[level]}**", "", *levels[level]]

    def folded(summary: str, items: list[str], note: str = "") -> None:
        nonlocal left_out
        opener = f"<details><summary>{summary}</summary>\n"
        if not items and not note:
            return
        chosen = []
        if budget.take(opener + "</details>" + note + "\n\n\n"):
            for item in items:
                if budget.take(item):
                    chosen.append(item)
                else:
                    left_out += 1
        else:
            left_out += len(items)
            return
        body.extend(["", opener, *( [note, ""] if note else []), *chosen, "", "</details>"])

    if delta is not None and delta.resolved:
        folded(f"Resolved since {code_span(since)}: {len(delta.resolved)}",
               [_record_item(fp, e) for fp, e in sorted(delta.resolved.items(), key=lambda kv: (kv[1]["path"], kv[1]["rule"]))])
    if pr.carried:
        folded(f"LLM findings of the review of {code_span(since)} on text not changed since: {len(pr.carried)}",
               [_record_item(fp, e) for fp, e in pr.carried.items()])
    pre = [f for f in report.findings if not f.introduced]
    listed = [f for f in pre if f.path not in prepared.renamed_only]
    renamed_count = len(pre) - len(listed)
    if pre and not listed:
        body += ["", f"Already there before this pull request: {len(pre)} finding{'s' * (len(pre) != 1)}, all in the "
                     f"{len(prepared.renamed_only)} VEP documents this pull request only renamed (not listed)."]
    elif pre:
        files = len({f.path for f in pre})
        note = (f"{renamed_count} of them in the {len(prepared.renamed_only)} VEP documents this pull request only "
                "renamed (not listed)." if renamed_count else "")
        folded(f"Already there before this pull request: {len(pre)} finding{'s' * (len(pre) != 1)} in "
               f"{files} file{'s' * (files != 1)}",
               [finding_item(f, pr.fp(f), link_base, compact=True)
                for f in sorted(listed, key=lambda f: (f.path, f.severity.rank, f.line or 0, f.rule))], note)
    if left_out:
        body += ["", f"> **Note:** {left_out} more finding{'s' * (left_out != 1)} not shown, to keep this comment short; "
                     "the job summary of the **vep-review** check lists them all."]
    clean = [fr.path for fr in report.files if not fr.findings and not fr.error and fr.path not in prepared.renamed_only
             and not any(e.get("path") == fr.path for e in state.findings.values())]
    if clean:
        shown = ", ".join(code_span(p) for p in clean[:20])
        body += ["", f"No findings in {shown}{f' and {len(clean) - 20} more' if len(clean) > 20 else ''}."]
    if not report.findings and not state.dismissed and not report.errors and not any(fr.error for fr in report.files):
        body += ["", f"**No problems found** in {n_docs} VEP document{'s' * (n_docs != 1)}."]
    text = "\n".join(head_lines + body + tail) + "\n"
    if len(text) > max_chars:
        cut = "\n\n> **Note:** cut to fit the size limit of a GitHub comment.\n"
        text = text[: max_chars - len(cut)] + cut
    return text


def apply_dismissal(body: str, state, fp: str) -> str:
    """``body`` (the sticky comment) after the finding ``fp`` was dismissed: its list items
    removed, the counts line, the dismissed list and the state marker rewritten from
    ``state`` (which already holds the dismissal)."""
    out: list[str] = []
    skipping = False
    span = fp_span(fp)
    for line in body.split("\n"):
        if line.startswith("- ") and (f" · {span}" in line or line.startswith(f"- {span} ")):
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        out.append(line)
    text = "\n".join(out)
    text = _replace_between(text, _COUNTS_OPEN, _COUNTS_CLOSE, counts_block(state))
    text = _replace_between(text, _DISMISSED_OPEN, _DISMISSED_CLOSE, dismissed_block(state))
    return state.put(text)


def _replace_between(text: str, start: str, end: str, new: str) -> str:
    i = text.find(start)
    j = text.find(end, i + 1) if i >= 0 else -1
    if i < 0 or j < 0:
        return text
    return text[:i] + new + text[j + len(end):]
