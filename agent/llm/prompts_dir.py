"""Where the prompt files live, read with :mod:`importlib.resources`.

In the repository they are ``prompts/`` at the top level (beside ``agent/``); an installed
wheel holds them as the package data ``agent/prompts/`` (``package-dir`` in pyproject.toml).
Lookup order:

1. ``$VEP_REVIEW_PROMPTS`` when set (try a prompt change without touching the install; the
   GitHub Action points it at the action's checkout);
2. the package data ``agent.prompts`` (a wheel or a regular install);
3. ``prompts/`` of the source checkout holding this module (an editable install, whose
   ``editable_mode=compat`` puts the checkout, not the package mapping, on ``sys.path``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


@lru_cache(maxsize=1)
def _packaged() -> Traversable | None:
    root = files("agent") / "prompts"  # a data directory of the regular package agent
    return root if (root / "system.md").is_file() else None


def prompts_root() -> Traversable:
    """The directory of the prompt files (see the module docstring for the order).

    Returns:
        a :class:`~importlib.resources.abc.Traversable` (a :class:`~pathlib.Path` for the
        override and the checkout).
    """
    override = os.environ.get("VEP_REVIEW_PROMPTS")
    if override:
        return Path(override)
    return _packaged() or Path(__file__).resolve().parent.parent.parent / "prompts"


def __getattr__(name: str):
    # PROMPTS_DIR, the name of earlier releases: the directory as a Path where it is one
    if name == "PROMPTS_DIR":
        root = prompts_root()
        return root if isinstance(root, Path) else Path(str(root))
    raise AttributeError(name)


def read_prompt(name: str) -> str:
    """The text of ``prompts/<name>`` (``name`` may hold ``/``, e.g. ``context/x.md``) with
    its HTML comments (notes for maintainers) removed.

    Raises:
        FileNotFoundError: no such prompt file.
    """
    from agent.document import strip_comments

    path = prompts_root()
    for part in name.split("/"):  # one segment at a time: every Traversable takes that
        path = path / part
    return strip_comments(path.read_text(encoding="utf-8")).strip()
