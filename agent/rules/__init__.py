"""The deterministic rules.

One module per rule, as in yamllint: ``agent/rules/vepNNN_<name>.py`` defines

- ``ID``: stable rule ID (``"VEP201"``); the hundreds give the family
  (0 document, 1 layout and identity, 2 front matter, 3 status transitions and VEP Freeze,
  4 required sections, 5 feature gate, 6 release metadata, 7 process checks through the
  GitHub API: they run only with a repository and token, ``ctx.github``);
- ``NAME``: kebab-case name (``"front-matter-missing"``), accepted wherever an ID is;
- ``SEVERITY``: default severity, ``"error"``, ``"warning"`` or ``"info"``;
- ``SOURCE``: the document and section the rule implements;
- ``FIX``: the default fix, used when a problem does not bring its own;
- ``check(doc, ctx)``: a generator of :class:`Problem`;
- optionally ``LEGACY_SEVERITY``: the severity that replaces ``error`` on a VEP that has no
  front matter yet and is not new (VEP-282, "Update/Rollback Compatibility": the validator
  warns on existing VEPs and enforces on new ones), and ``ENABLED_BY_DEFAULT = False``;
- optionally ``ANY_FILE = True``: the rule judges files that are not markdown documents
  (an image placed under ``veps/``) too; such files get only these rules;
- the module docstring: the rule's documentation (``vep-review rules ID`` prints it),
  written as *what it checks*, *why*, an anti-pattern and the best practice.

Rules are found by :func:`all_rules`; adding a module is all it takes to add a rule.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from agent.context import CheckContext
    from agent.document import VepDocument


class Problem(NamedTuple):
    """What a rule's ``check()`` yields.

    Attributes:
        message: what is wrong, one sentence.
        line: 1-based file line, ``None`` for the whole file.
        fix: how to fix it (default: the rule's ``FIX``).
        section: heading of the section concerned (default: the section holding ``line``).
        severity: overrides the rule's default for this one problem (rarely needed: e.g. the
            front-matter-missing rule is a warning for legacy VEPs and an error for new ones).
    """

    message: str
    line: int | None = None
    fix: str | None = None
    section: str | None = None
    severity: str | None = None


class Rule(NamedTuple):
    """A loaded rule module.

    Attributes:
        id, name, severity, source, fix: from the module's constants.
        legacy_severity: severity for ``error`` problems on not-yet-migrated VEPs.
        any_file: the rule also runs on files under ``veps/`` that are not markdown.
        doc: the module docstring.
        check: ``check(doc, ctx) -> Iterator[Problem]``.
    """

    id: str
    name: str
    severity: str
    source: str
    fix: str
    doc: str
    check: Callable[["VepDocument", "CheckContext"], Iterator[Problem]]
    enabled_by_default: bool = True
    legacy_severity: str | None = None
    any_file: bool = False

    @property
    def family(self) -> str:
        """Family name from the ID's hundreds digit."""
        return FAMILIES.get(self.id[3:4], "other")

    @property
    def summary(self) -> str:
        """First paragraph of the documentation, on one line."""
        return " ".join(self.doc.strip().split("\n\n")[0].split())


FAMILIES = {
    "0": "document",
    "1": "layout and identity",
    "2": "front matter",
    "3": "status transitions and VEP Freeze",
    "4": "required sections",
    "5": "feature gate",
    "6": "release metadata",
    "7": "process (GitHub API)",
}

_RULES: list[Rule] | None = None


class LazyPattern:
    """A regular expression compiled on first use, for rules with many large patterns that
    most documents never need (``vep-review check`` compiles them at every start).

    Behaves like the compiled :class:`re.Pattern` for ``search``, ``match``, ``fullmatch``,
    ``finditer``, ``findall``, ``sub`` and ``pattern``; after the first use these are plain
    attributes of the object (no per-call indirection).
    """

    _METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "split", "pattern", "flags")

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        if name not in self._METHODS:
            raise AttributeError(name)
        import re

        compiled = re.compile(*self._args)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def _load(module: ModuleType) -> Rule:
    return Rule(
        id=module.ID,
        name=module.NAME,
        severity=module.SEVERITY,
        source=module.SOURCE,
        fix=getattr(module, "FIX", ""),
        doc=module.__doc__ or "",
        check=module.check,
        enabled_by_default=getattr(module, "ENABLED_BY_DEFAULT", True),
        legacy_severity=getattr(module, "LEGACY_SEVERITY", None),
        any_file=getattr(module, "ANY_FILE", False),
    )


def all_rules() -> list[Rule]:
    """Every rule, sorted by ID. Raises ``RuntimeError`` if two rules share an ID or name."""
    global _RULES
    if _RULES is None:
        rules = []
        # the rule modules beside this file (not pkgutil.iter_modules: it imports inspect,
        # a tenth of the start-up of a one-file check)
        names = {name[:-3] for folder in __path__ for name in os.listdir(folder)
                 if name.startswith("vep") and name.endswith(".py")}
        for name in sorted(names):
            rules.append(_load(importlib.import_module(f"{__name__}.{name}")))
        rules.sort(key=lambda r: r.id)
        seen: set[str] = set()
        for r in rules:
            for key in (r.id, r.name):
                if key in seen:
                    raise RuntimeError(f"duplicate rule ID or name: {key}")
                seen.add(key)
        _RULES = rules
    return _RULES


def get_rule(key: str) -> Rule | None:
    """The rule with ID or name ``key`` (case-insensitive for IDs), or ``None``."""
    for r in all_rules():
        if key.upper() == r.id or key == r.name:
            return r
    return None
