"""Baseline reviewers for the ``concerns`` set: what a figure is compared with.

A recall figure means little alone: with a loose matcher, a reviewer that says nothing
useful can score high by saying something everywhere. The baselines run offline (no key, no
cassette) and are scored exactly like a model's findings (:func:`evals.llm.score_findings`):

- ``none``: no finding at all (recall 0 by construction; the floor).
- ``shotgun``: one content-free finding per concern category, "This part needs more
  detail.", quoting the first prose line of the category's home section (the issue-11
  reviewer that scored 84% recall when only category and section were compared). With the
  content matcher it must stay at or below 10% recall (tests/test_evals_content.py).
- ``parrot``: the shotgun's findings, each restating its quote in its own message ("The
  passage “…” leaves a question open."), as a chatty model does (the fake server's chatty
  mode, :mod:`agent.llm.fake_server`, writes exactly this). Words inside quotation marks are
  the VEP's, not the finding's (:func:`evals.matching.own_terms`), so it must stay at or
  below 10% recall too.
- a **findings file** (``--baseline PATH``): fixed findings per VEP, YAML or JSON::

      synthetic: true            # hand-written: every figure is labelled SYNTHETIC
      findings:
        "10":                    # VEP number (or a case ID such as concerns/sig-compute/10)
          - {category: scope-goals, section: Non Goals, quote: "...", concern: "...", fix: "..."}

  The project's ``tests/fixtures/synthetic/good_reviewer_findings.yaml`` is one: findings
  written by hand about the subjects of the development split's concerns. It shows the
  matcher can tell a reviewer that raises the right subjects from the shotgun; it is not a
  model's score.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent.document import VepDocument
from agent.findings import Finding, Severity

#: Built-in baselines.
BUILTIN = ("shotgun", "parrot", "none")

#: The shotgun's one sentence, whatever the category and the VEP.
SHOTGUN_MESSAGE = "This part needs more detail."
SHOTGUN_FIX = "Add more detail to this section."
#: The parrot's sentences: content-free, but repeating the quoted words.
PARROT_MESSAGE = "The passage “{words}” leaves a question open."
PARROT_FIX = "Say more about “{words}”."

#: Section a shotgun finding quotes for categories that have no home section.
FALLBACK_SECTIONS = ("Overview", "Motivation", "Summary")


def _prose_line(doc: VepDocument, start: int, end: int) -> tuple[int, str] | None:
    """The first prose line in ``[start, end]`` (no heading, comment, code fence, table or
    blank line)."""
    in_code = False
    for i in range(start, min(end, len(doc.lines)) + 1):
        s = doc.lines[i - 1].strip()
        if s.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not s or s.startswith(("#", "<!--", "|", "---")):
            continue
        return i, s
    return None


def _find_section(doc: VepDocument, template, name: str):
    """The document's top-level section whose canonical template name is ``name``."""
    for s in doc.sections:
        req = template.lookup(s.title)
        if (req.name if req is not None else s.title) == name:
            return s
    return None


def shotgun_findings(doc: VepDocument, template, categories: tuple[str, ...] | None = None,
                     parrot: bool = False) -> list[Finding]:
    """One generic finding per concern category: :data:`SHOTGUN_MESSAGE` (with ``parrot``:
    a sentence restating the first words of its quote, :data:`PARROT_MESSAGE`), quoting the first
    prose line of the category's first home section the document has
    (:data:`evals.llm.CATEGORY_SECTIONS`; :data:`FALLBACK_SECTIONS` for categories without
    one, else the first section with prose).

    Returns:
        LLM-origin :class:`Finding` objects (rule ``BASELINE``), one per category that found a
        line to quote.
    """
    from evals.llm import CATEGORY_SECTIONS

    out = []
    for category in categories or tuple(CATEGORY_SECTIONS):
        homes = CATEGORY_SECTIONS.get(category) or FALLBACK_SECTIONS
        picked = None
        for name in homes:
            s = _find_section(doc, template, name)
            if s is not None:
                line = _prose_line(doc, s.line + 1, s.end_line)
                if line:
                    picked = (s, line)
                    break
        if picked is None:
            for s in doc.sections:
                line = _prose_line(doc, s.line + 1, s.end_line)
                if line:
                    picked = (s, line)
                    break
        if picked is None:
            continue
        s, (lineno, text) = picked
        name = "parrot" if parrot else "shotgun"
        words = " ".join(text.split()[:8])
        message = PARROT_MESSAGE.format(words=words) if parrot else SHOTGUN_MESSAGE
        fix = PARROT_FIX.format(words=words) if parrot else SHOTGUN_FIX
        out.append(Finding(rule="BASELINE", name=name, severity=Severity.WARNING, path=doc.path, line=lineno,
                           message=message, fix=fix, section=s.title, origin="llm",
                           category=category, quote=text, extra={"baseline": name}))
    return out


def load_findings_file(path: Path) -> tuple[dict[str, list[dict]], bool]:
    """A findings file (see the module docstring).

    Returns:
        (key -> list of finding dicts, synthetic): keys are VEP numbers or case IDs as
        strings; ``synthetic`` is true when the file says so or lies under a ``synthetic``
        folder.

    Raises:
        ValueError: the file is not a mapping with a ``findings`` mapping.
        OSError: it cannot be read.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("findings"), dict):
        raise ValueError(f"{path}: a findings file is a mapping with a 'findings' mapping (VEP number -> findings)")
    synthetic = bool(data.get("synthetic")) or "synthetic" in path.resolve().parts
    return {str(k): list(v or []) for k, v in data["findings"].items()}, synthetic


def file_findings(entries: list[dict], doc: VepDocument, label: str) -> list[Finding]:
    """Finding objects from a findings file's entries for one document (line: where the quote
    is, when it is in the document)."""
    out = []
    for e in entries:
        quote = e.get("quote")
        line = None
        if quote:
            for i, text in enumerate(doc.lines, 1):
                if quote[:40] in text:
                    line = i
                    break
        out.append(Finding(rule="BASELINE", name=label, severity=Severity.WARNING, path=doc.path, line=line,
                           message=str(e.get("concern") or e.get("message") or ""), fix=str(e.get("fix") or ""),
                           section=e.get("section"), origin="llm", category=e.get("category"), quote=quote,
                           extra={"baseline": label, **({"sig": e["sig"]} if e.get("sig") else {})}))
    return out
