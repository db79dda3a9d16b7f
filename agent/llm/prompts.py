"""Assembles a reviewer's request.

Layout (the API renders tools, then system, then messages, and caches prefixes):

1. **system block 1** (``cache_control: ephemeral``): ``prompts/system.md`` plus the process
   documents (:mod:`agent.llm.context_docs`). Identical for every reviewer and every VEP of a
   repository, so it is the stable prefix that prompt caching reuses: across the VEPs of a run,
   across runs within the cache lifetime, and across the parallel reviewers once one of them
   has written it.
2. **system block 2**: the reviewer's task (``prompts/<reviewer>.md``).
3. **user turn**: the sanitised VEP inside ``<vep_document>`` tags with the note that it is data
   (:mod:`agent.llm.sanitize`), then the reviewer's evidence from the deterministic passes.

No tools are offered except, in ``tool`` output mode, the one output tool whose input is the
answer: the model can have no side effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.llm.context_docs import process_documents, render
from agent.llm.prompts_dir import read_prompt
from agent.llm.sanitize import wrap_document


@dataclass(frozen=True)
class Request:
    """The parts of one reviewer's request.

    Attributes:
        system: system content blocks (the first one carries ``cache_control``).
        user: content blocks of the single user turn.
    """

    system: list[dict]
    user: list[dict]


def shared_system_text(repo_root: Path | None) -> str:
    """The cached prefix: shared instructions and the process documents."""
    return read_prompt("system.md") + "\n\n## Process documents\n\n" + render(process_documents(repo_root))


def build_request(task_prompt: str, sanitized_text: str, repo_path: str, evidence: str,
                  repo_root: Path | None) -> Request:
    """The request for one reviewer.

    Args:
        task_prompt: file name under ``prompts/`` of the reviewer's task.
        sanitized_text: the VEP after :func:`agent.llm.sanitize.sanitize`.
        repo_path: the VEP's path in the repository (shown as an attribute of the data block).
        evidence: the reviewer's facts from the deterministic passes (plain text).
        repo_root: the checked repository (process documents), or ``None``.
    """
    system = [
        {"type": "text", "text": shared_system_text(repo_root), "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": read_prompt(task_prompt)},
    ]
    user = [
        {"type": "text", "text": wrap_document(sanitized_text, repo_path)},
        {"type": "text", "text": "<review_facts>\n" + evidence.strip() + "\n</review_facts>"},
    ]
    return Request(system, user)
