"""Assembles a reviewer's request.

Layout (the API renders tools, then system, then messages, and caches prefixes up to each
``cache_control`` breakpoint; the output format is part of the cache key, and every reviewer uses
the same one):

1. **system block** (breakpoint 1): ``prompts/system.md`` plus the process documents
   (:mod:`agent.llm.context_docs`). Identical for every reviewer and every VEP of a repository:
   read from the cache across the VEPs of a run and across runs within the cache lifetime.
2. **user block 1** (breakpoint 2): the sanitised VEP inside ``<vep_document>`` tags with the
   note that it is data (:mod:`agent.llm.sanitize`), and, with a base version, the change
   (:func:`agent.llm.change.render`). Identical for every reviewer of the VEP: the warm-up
   request (:meth:`agent.llm.client.LlmClient.warm`) writes it once, the reviewers read it.
   When only one reviewer runs, this breakpoint is left out (nobody would read it).
3. **user block 2** (not cached): the reviewer's task (``prompts/<reviewer>.md``) and its
   evidence from the deterministic passes. Only this part is paid at the full input price by
   each reviewer.

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
        system: system content blocks (the shared one carries ``cache_control``).
        user: content blocks of the single user turn (the VEP block, and the change block when
            there is one, end with a ``cache_control`` breakpoint; the last block is the task).
    """

    system: list[dict]
    user: list[dict]


def shared_system_text(repo_root: Path | None) -> str:
    """The cached prefix: shared instructions and the process documents."""
    return read_prompt("system.md") + "\n\n## Process documents\n\n" + render(process_documents(repo_root))


def build_request(task_prompt: str, sanitized_text: str, repo_path: str, evidence: str,
                  repo_root: Path | None, change_text: str | None = None, cache_document: bool = True) -> Request:
    """The request for one reviewer.

    Args:
        task_prompt: file name under ``prompts/`` of the reviewer's task.
        sanitized_text: the VEP after :func:`agent.llm.sanitize.sanitize`.
        repo_path: the VEP's path in the repository (shown as an attribute of the data block).
        evidence: the reviewer's facts from the deterministic passes (plain text).
        repo_root: the checked repository (process documents), or ``None``.
        change_text: the ``<vep_change>`` block (:func:`agent.llm.change.render`) with a base
            version, else ``None``.
        cache_document: put breakpoint 2 after the VEP (``False`` when only one reviewer runs:
            nobody would read the entry, and writing it costs 1.25x the input price).
    """
    system = [{"type": "text", "text": shared_system_text(repo_root), "cache_control": {"type": "ephemeral"}}]
    document = [{"type": "text", "text": wrap_document(sanitized_text, repo_path)}]
    if change_text:
        document.append({"type": "text", "text": change_text})
    if cache_document:
        document[-1]["cache_control"] = {"type": "ephemeral"}
    task = read_prompt(task_prompt).strip() + "\n\n<review_facts>\n" + evidence.strip() + "\n</review_facts>"
    return Request(system, document + [{"type": "text", "text": task}])
