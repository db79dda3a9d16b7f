"""The process documents the reviewers judge a VEP against.

The design-gap reviewer uses the reviewers' rubric (``docs/vep-writing-guide.md``), the
template (``veps/NNNN-vep-template/vep.md``) and the feature lifecycle policy
(``docs/feature-lifecycle.md``); all reviewers share them, because they form the cached prefix
of every request (:mod:`agent.llm.prompts`).

Each one is read from the checked enhancements repository (``ctx.repo_root``) when it has the
file, so that the review follows the repository's current rules. Otherwise a bundled summary
from ``prompts/context/`` is used: these are written in vep-review's own words (they are not
copies of the upstream documents) and say so. The production-readiness questions
(``prompts/context/prr-questions.md``) are always the bundled ones: KubeVirt has no such
document of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agent.llm.prompts_dir import read_prompt
from agent.llm.sanitize import neutralize_delimiters, strip_invisible

#: Largest process document sent, in characters (a guard against a huge file in the checked repository).
MAX_DOC_CHARS = 40_000

#: (name shown to the model, path in the enhancements repository, bundled fallback file).
SOURCES: tuple[tuple[str, str | None, str], ...] = (
    ("docs/vep-writing-guide.md", "docs/vep-writing-guide.md", "vep-writing-guide.md"),
    ("docs/feature-lifecycle.md", "docs/feature-lifecycle.md", "feature-lifecycle.md"),
    ("veps/NNNN-vep-template/vep.md", "veps/NNNN-vep-template/vep.md", "vep-template.md"),
    ("Kubernetes production readiness questions", None, "prr-questions.md"),
)


@dataclass(frozen=True)
class ProcessDocument:
    """One reference document.

    Attributes:
        name: how the prompt names it (the upstream path, or a title).
        origin: ``"repository"`` (read from the checked repository) or ``"bundled summary"``.
        text: its content (invisible characters removed, delimiters neutralised; bundled
            summaries also lose their HTML comments, which address maintainers).
    """

    name: str
    origin: str
    text: str


@lru_cache(maxsize=8)
def process_documents(repo_root: Path | None) -> tuple[ProcessDocument, ...]:
    """The reference documents for a VEP in ``repo_root`` (``None``: bundled summaries only).

    Cached per repository so that every request of a run carries a byte-identical prefix
    (which is what makes prompt caching hit). Never raises: an unreadable file falls back to
    the bundled summary.
    """
    out = []
    for name, repo_path, bundled in SOURCES:
        text = None
        if repo_root is not None and repo_path is not None:
            try:
                text = (Path(repo_root) / repo_path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = None
        if text is not None and text.strip():
            origin = "repository"
        else:
            text = read_prompt(f"context/{bundled}")
            origin = "bundled summary"
        text = neutralize_delimiters(strip_invisible(text)).strip()
        if len(text) > MAX_DOC_CHARS:
            text = text[:MAX_DOC_CHARS] + "\n[… truncated by vep-review]"
        out.append(ProcessDocument(name, origin, text))
    return tuple(out)


def render(docs: tuple[ProcessDocument, ...]) -> str:
    """The documents as one text block, each in ``<process_document>`` tags."""
    parts = []
    for d in docs:
        parts.append(f'<process_document name="{d.name}" origin="{d.origin}">\n{d.text}\n</process_document>')
    return "\n\n".join(parts)
