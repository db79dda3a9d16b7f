"""The optional parts of vep-review (pyproject.toml's extras) and the one-line message a
command gives when the part it needs is not installed.

``pip install vep-review`` is the deterministic check only (``check``, ``rules``, the
pre-commit hook); the extras add:

- ``llm``: anthropic, langgraph, pydantic — ``vep-review review`` and ``github --full``;
- ``github``: PyGithub — ``vep-review github`` on GitHub events (``--dry-run`` needs only git);
- ``eval``: vcrpy (and ``llm``) — ``vep-review eval``;
- ``all``: every extra; ``test``: all, plus what the test suite needs.

A command that needs a missing extra exits 2 with one line naming the install command
(:class:`MissingExtra`).
"""

from __future__ import annotations

from importlib.util import find_spec

#: extra -> the top-level modules it provides (import names, not distribution names).
EXTRAS: dict[str, tuple[str, ...]] = {
    "llm": ("anthropic", "langgraph", "pydantic"),
    "github": ("github",),
    "eval": ("vcr",),
}

#: top-level module -> the extra that provides it (also the modules those pull in).
_MODULE_EXTRA = {module: extra for extra, modules in EXTRAS.items() for module in modules}
_MODULE_EXTRA.update({"langchain_core": "llm", "httpx": "llm", "httpx2": "llm", "pydantic_core": "llm",
                      "urllib3": "github", "requests": "github"})


class MissingExtra(RuntimeError):
    """A command needs an extra that is not installed; ``str()`` is the one-line message."""

    def __init__(self, extra: str, what: str, module: str):
        self.extra, self.what, self.module = extra, what, module
        super().__init__(f"{what} needs the '{extra}' extra (module {module!r} is not installed): "
                         f"pip install 'vep-review[{extra}]'")


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported (found without importing them)."""
    return [m for m in EXTRAS[extra] if find_spec(m) is None]


def require(extra: str, what: str) -> None:
    """Raise :class:`MissingExtra` when a module of ``extra`` is not installed.

    Args:
        extra: a key of :data:`EXTRAS`.
        what: what needs it, for the message (``"vep-review review"``).
    """
    missing = missing_modules(extra)
    if missing:
        raise MissingExtra(extra, what, missing[0])


def from_import_error(exc: BaseException, what: str) -> MissingExtra | None:
    """The :class:`MissingExtra` an :class:`ImportError` stands for, or ``None`` when the
    missing module is not one an extra provides (a real bug, to be reported as one)."""
    if not isinstance(exc, ImportError) or not exc.name:
        return None
    module = exc.name.split(".")[0]
    extra = _MODULE_EXTRA.get(module)
    return MissingExtra(extra, what, module) if extra else None
