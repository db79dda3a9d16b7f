"""Where the prompt files live: ``prompts/`` at the project root (beside ``agent/``), or
``$VEP_REVIEW_PROMPTS`` when set (e.g. to try a prompt change without editing the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

PROMPTS_DIR = Path(os.environ.get("VEP_REVIEW_PROMPTS") or Path(__file__).resolve().parent.parent.parent / "prompts")


def read_prompt(name: str) -> str:
    """The text of ``prompts/<name>`` with its HTML comments (notes for maintainers) removed.

    Raises:
        FileNotFoundError: no such prompt file.
    """
    from agent.document import strip_comments

    return strip_comments((PROMPTS_DIR / name).read_text(encoding="utf-8")).strip()
