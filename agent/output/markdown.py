"""``--format markdown``: the report as GitHub-flavoured markdown, the body of the PR comment.

One renderer serves ``vep-review review --format markdown``, the sticky PR comment and the
job summary of :mod:`agent.github` (which adds a hidden marker, a header and a footer through
the keyword arguments of :func:`render_markdown`).

Layout: a summary line, then one block per file with findings grouped by severity (errors,
warnings, notes), each finding with its line (a link to the line when ``link_base`` is
given), rule, message, fix and, for LLM findings, the quoted VEP text; then the LLM status
and usage (model, calls, tokens, cost, duration).

**Everything that comes from a document or a model is rendered inert** (:func:`inert`):
HTML is escaped, ``@`` mentions and ``#123`` / ``GH-123`` references are broken with a
zero-width joiner so that nobody is notified and no cross-reference is made, markdown
link and image brackets are escaped and bare URLs are shown as code, so that a VEP or a
model answer cannot place links, images, HTML (or a fake hidden marker) into the comment.
Quotes are shown in fenced code blocks, where GitHub renders nothing.

The output is kept under ``max_chars`` characters (GitHub rejects comments over 65,536):
when it would be longer, the worst findings are kept (errors of every file first, then
warnings, then notes) and a note says how many were left out.
"""

from __future__ import annotations

import re
from urllib.parse import quote as _urlquote

from agent.findings import Finding, Severity, counts_text, plural, summarize

#: Zero-width joiner: placed after ``@`` and ``#`` so that GitHub sees no mention or reference.
ZWJ = "\u200d"

_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_URL_RE = re.compile(r"(?i)\b(?:(?:https?|ftp)://|www\.)[^\s`]+")
#: A complete code span (CommonMark: a backtick run closed by a run of the same length).
_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_REF_RE = re.compile(r"(?i)(#|\bGH-)(?=\d)")
_MD_ESCAPE_RE = re.compile(r"([\\\[\]`])")
_MAX_TEXT = 1500
_MAX_QUOTE = 600
_MAX_QUOTE_LINES = 10
_LEVEL_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Notes"}


def inert(text, limit: int = _MAX_TEXT) -> str:
    """Make untrusted text (from a VEP or a model) safe to place in a GitHub comment, on one
    line.

    - whitespace (newlines included) collapses to single spaces; bidi controls are dropped;
    - complete code spans (`` `x` ``) are kept as written: GitHub renders them literally;
    - elsewhere ``\\``, ``[``, ``]`` and a lone backtick are backslash-escaped (no markdown
      links or images, no code span opened by a cut);
    - ``&``, ``<`` and ``>`` become entities (no raw HTML, no HTML comments);
    - ``@`` is followed by a zero-width joiner (no mentions, no e-mail autolinks);
    - ``#`` or ``GH-`` before a digit gets a zero-width joiner (no issue cross-references);
    - URLs are shown as code spans (no autolinks);
    - the result is cut to ``limit`` characters (an ellipsis marks the cut).

    Args:
        text: anything; ``None`` gives ``""``, other types are converted with ``str``.
        limit: maximum length of the visible text before escaping.
    """
    if text is None:
        return ""
    s = " ".join(_BIDI_RE.sub("", str(text)).split())
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    out: list[str] = []
    pos = 0
    for m in _SPAN_RE.finditer(s):  # code spans render literally: kept as written
        out.append(_escape_text(s[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_escape_text(s[pos:]))
    return "".join(out)


def _escape_text(s: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _URL_RE.finditer(s):
        out.append(_escape_plain(s[pos : m.start()]))
        out.append(code_span(m.group(0)))
        pos = m.end()
    out.append(_escape_plain(s[pos:]))
    return "".join(out)


def _escape_plain(s: str) -> str:
    s = _MD_ESCAPE_RE.sub(r"\\\1", s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("@", "@" + ZWJ)
    return _REF_RE.sub(lambda m: m.group(1) + ZWJ, s)


def code_span(text) -> str:
    """``text`` as an inline code span (rendered literally by GitHub: no HTML, mentions or
    links), on one line; the fence is longer than any backtick run inside."""
    s = " ".join(_BIDI_RE.sub("", str(text)).split())
    if not s:
        return "` `"
    longest = max((len(r) for r in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or longest else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def code_block(text, indent: str = "", limit: int = _MAX_QUOTE, max_lines: int = _MAX_QUOTE_LINES) -> str:
    """``text`` as a fenced code block (rendered literally), indented by ``indent`` (to sit in
    a list item), cut to ``limit`` characters and ``max_lines`` lines."""
    s = _BIDI_RE.sub("", str(text)).replace("\r", "").strip("\n")
    lines = s.split("\n")
    cut = len(lines) > max_lines or len(s) > limit
    lines = lines[:max_lines]
    body = "\n".join(lines)
    if len(body) > limit:
        body = body[:limit]
    if cut:
        body = body.rstrip() + "\n…"
    longest = max((len(r) for r in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    inner = "\n".join(indent + line for line in body.split("\n"))
    return f"{indent}{fence}text\n{inner}\n{indent}{fence}"


def line_link(path: str, line: int | None, link_base: str | None) -> str:
    """``L12`` as a markdown link to ``{link_base}/{path}#L12`` (path URL-quoted), or plain
    text without ``link_base``; ``file`` for a finding without a line. A markdown file's link
    asks for the source view (``?plain=1#L12``): GitHub ignores a line anchor on the
    rendered page."""
    label = f"L{line}" if line else "file"
    if not link_base:
        return label
    url = f"{link_base.rstrip('/')}/{_urlquote(path, safe='/')}"
    if line:
        url += f"{'?plain=1' if path.lower().endswith(('.md', '.markdown')) else ''}#L{line}"
    return f"[{label}]({url})"


def finding_item(f: Finding, link_base: str | None, *, rule: str | None = None, suffix: str = "",
                 compact: bool = False, message_limit: int = _MAX_TEXT) -> str:
    """One finding as a markdown list item: line link, rule, name (LLM: category and
    confidence), message, section; unless ``compact``, the fix (a multi-line fix, e.g. a front
    matter block, as code) and the LLM quote. Text from the VEP or the model is rendered inert.

    Args:
        f: the finding.
        link_base: as for :func:`line_link`.
        rule: the rule as shown (default: the ID in bold); the PR comment links it.
        suffix: appended to the first line (the PR comment's fingerprint).
        compact: one line only, without section, fix and quote.
        message_limit: characters of the message kept.
    """
    where = line_link(f.path, f.line, link_base)
    head = f"- {where} {rule or f'**{inert(f.rule, 40)}**'} {code_span(f.name[:80])}"
    if f.origin == "llm":
        tags = [t for t in (f.category, None if f.confidence is None else f"confidence {f.confidence:.2f}") if t]
        head += f" _(LLM{': ' + inert(', '.join(tags), 120) if tags else ''})_"
    text = f"{head}: {inert(f.message, message_limit)}"
    if f.section and not compact:
        text += f" _(section {inert(f.section, 120)})_"
    text += suffix
    if compact:
        return text
    if f.fix:
        first, _, rest = f.fix.strip("\n").partition("\n")
        text += f"  \n  Fix: {inert(first)}"
        if rest.strip():  # e.g. a front matter block to paste: shown as code
            text += "\n" + code_block(rest, indent="  ", limit=1200, max_lines=30)
    if f.quote:
        text += "\n" + code_block(f.quote, indent="  ")
    return text


_TOKEN_KEYS = (("input_tokens", "in"), ("output_tokens", "out"), ("cache_creation_input_tokens", "cache write"),
               ("cache_read_input_tokens", "cache read"))


def render_usage(usage: dict) -> str:
    """One line on model usage: model, calls, tokens, estimated cost, wall time; ``""`` for
    an empty ``usage``.

    Tokens are read from ``tokens`` (a number, or a mapping of kind -> count) or from the
    review graph's ``input_tokens`` / ``output_tokens`` / ``cache_creation_input_tokens`` /
    ``cache_read_input_tokens``; other keys are not shown. Values are rendered inert.
    """
    if not usage:
        return ""
    parts = []
    if usage.get("model"):
        parts.append(f"model {code_span(str(usage['model'])[:80])}")
    if usage.get("calls") is not None:
        parts.append(plural(_as_int(usage.get("calls")), "call"))
    tokens = usage.get("tokens")
    breakdown = [(label, _as_int(usage[key])) for key, label in _TOKEN_KEYS if usage.get(key)]
    if isinstance(tokens, dict):
        breakdown = [(inert(k, 30), _as_int(v)) for k, v in tokens.items()]
        tokens = None
    if tokens is not None:
        parts.append(f"{_as_int(tokens):,} tokens")
    elif breakdown:
        detail = ", ".join(f"{label} {count:,}" for label, count in breakdown)
        parts.append(f"{sum(c for _, c in breakdown):,} tokens ({detail})")
    for key, fmt in (("estimated_cost_usd", "~${:.4f}"), ("wall_seconds", "{:.1f} s")):
        try:
            parts.append(fmt.format(float(usage[key])))
        except (KeyError, TypeError, ValueError):
            pass  # absent or not a number: leave it out
    return " · ".join(parts)


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def render_markdown(report, *, link_base: str | None = None, marker: str | None = None, max_chars: int = 60000,
                    preamble: str | None = None, epilogue: str | None = None) -> str:
    """Render ``report`` (:class:`agent.engine.Report`) as markdown.

    Args:
        report: findings per file, input errors, LLM status and usage.
        link_base: ``https://github.com/OWNER/REPO/blob/SHA``: line numbers become links to
            ``{link_base}/{path}#L{line}``; ``None`` leaves them as text.
        marker: a line put first, verbatim (the hidden ``<!-- vep-review:sticky -->``
            marker of the PR comment).
        max_chars: the result is at most this long (findings are left out, worst kept,
            with a note saying so); at least 1,000.
        preamble: trusted markdown put after the marker (the PR comment's header).
        epilogue: trusted markdown put last (the PR comment's footer).

    Returns:
        the markdown text, ending with a newline.
    """
    max_chars = max(1000, max_chars)
    findings = report.findings
    counts = summarize(findings)
    n_files = len(report.files)

    head: list[str] = []
    if marker:
        head.append(marker)
    if preamble:
        head.append(preamble.rstrip("\n"))
        head.append("")
    if not findings and not report.errors and not any(fr.error for fr in report.files):
        head.append(f"**No problems found** in {plural(n_files, 'file')}.")
    else:
        head.append(f"**{counts_text(counts)}** in {plural(n_files, 'file')}.")
    staged = [fr for fr in report.files if fr.stage_headline]
    if staged:
        head.append("")
        head += [inert(fr.stage_headline, 400) + "." if len(report.files) == 1 else
                 f"- {code_span(fr.path)}: {inert(fr.stage_headline, 400)}" for fr in staged]
    for err in report.errors:
        head.append(f"- could not check: {inert(err)}")

    # Per file: (heading, [(severity, [items])]); items are selected by priority below.
    groups: list[tuple[str, list[tuple[str, list[str]]]]] = []
    clean: list[str] = []
    for fr in report.files:
        if not fr.findings and not fr.error:
            clean.append(code_span(fr.path))
            continue
        heading = f"#### {code_span(fr.path)}: {counts_text(summarize(fr.findings))}"
        sev_groups: list[tuple[str, list[str]]] = []
        if fr.error:
            sev_groups.append(("error", [f"- could not be read: {inert(fr.error)}"]))
        for level in ("error", "warning", "info"):
            items = [finding_item(f, link_base) for f in fr.findings if f.severity.value == level]
            if items:
                sev_groups.append((level, items))
        groups.append((heading, sev_groups))

    tail: list[str] = []
    if clean:
        tail.append("")
        tail.append(f"No findings in {', '.join(clean)}.")
    skipped = report.skipped
    if skipped:
        tail.append("")
        tail.append("Not checked: " + "; ".join(inert(item, 300) for item in skipped) + ".")
    if report.llm_status:
        tail.append("")
        tail.append(f"**LLM review:** {inert(report.llm_status, 400)}")
    usage = render_usage(report.usage)
    if usage:
        tail.append("")
        tail.append(f"<sub>{usage}</sub>")
    if epilogue:
        tail.append("")
        tail.append(epilogue.rstrip("\n"))

    # Select findings worst-first across files until the budget is used up.
    total_items = sum(len(items) for _, sg in groups for _, items in sg)
    note_reserve = 260
    budget = max_chars - len("\n".join(head)) - len("\n".join(tail)) - 8
    selected: set[tuple[int, int, int]] = set()
    used_groups: set[tuple[int, int]] = set()
    used_files: set[int] = set()
    order = sorted(
        ((rank, fi, si, ii) for fi, (_, sg) in enumerate(groups) for si, (level, items) in enumerate(sg)
         for ii in range(len(items)) for rank in [Severity(level).rank]),
    )
    spent = 0
    for _, fi, si, ii in order:
        cost = len(groups[fi][1][si][1][ii]) + 1
        if fi not in used_files:
            cost += len(groups[fi][0]) + 2
        if (fi, si) not in used_groups:
            cost += len(_LEVEL_TITLE[groups[fi][1][si][0]]) + 8
        reserve = 0 if len(selected) + 1 == total_items else note_reserve
        if spent + cost + reserve > budget:
            break
        spent += cost
        selected.add((fi, si, ii))
        used_groups.add((fi, si))
        used_files.add(fi)

    body: list[str] = []
    for fi, (heading, sev_groups) in enumerate(groups):
        if fi not in used_files:
            continue
        body.append("")
        body.append(heading)
        for si, (level, items) in enumerate(sev_groups):
            chosen = [item for ii, item in enumerate(items) if (fi, si, ii) in selected]
            if not chosen:
                continue
            body.append("")
            body.append(f"**{_LEVEL_TITLE[level]}**")
            body.append("")
            body.extend(chosen)
    left_out = total_items - len(selected)
    if left_out:
        body.append("")
        body.append(f"> **Note:** {plural(left_out, 'more finding')} not shown, to keep this text under the size "
                    "limit of a GitHub comment; `vep-review check` (or the job summary) lists them all.")

    text = "\n".join(head + body + tail) + "\n"
    if len(text) > max_chars:  # only when header and footer alone exceed the budget
        cut = "\n\n> **Note:** cut to fit the size limit of a GitHub comment.\n"
        text = text[: max_chars - len(cut)] + cut
    return text
