"""Load a VEP front matter block as plain data with line numbers, and without YAML 1.1
surprises.

PyYAML (which python-frontmatter uses) implements YAML 1.1: an unquoted ``1.10`` becomes
the float ``1.1``, ``no`` becomes ``False`` and ``2024-05-22`` becomes a ``datetime.date``.
The governance schema (docs/vep-governance.md, "Front Matter Schema") expects strings for
these, so this loader keeps every scalar as the text the author wrote and *reports* each
plain scalar that a YAML 1.1 parser would have turned into something else
(:attr:`LoadedYaml.implicit_types`). It also reports duplicate keys (PyYAML silently keeps
the last one) and refuses documents whose aliases expand beyond :data:`MAX_NODES` nodes
("billion laughs").
"""

from __future__ import annotations

from typing import NamedTuple

import yaml

try:  # libyaml when available: about 10x faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest number of nodes (counting alias expansions) a front matter block may have.
MAX_NODES = 10_000

_SURPRISING_TAGS = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:timestamp": "a date",
}


class YamlError(ValueError):
    """The block is not usable YAML.

    Attributes:
        line: 1-based line within the block where the problem is, or ``None``.
        reason: one-line human description.
    """

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


class ImplicitType(NamedTuple):
    """A plain scalar that YAML 1.1 reads as another type than a string.

    Attributes:
        key_path: dotted key path, e.g. ``"milestone.alpha"``.
        line: 1-based line within the block.
        text: the text as written.
        kind: ``"a date"``, ``"a number"``, ``"a boolean"`` or ``"an integer"``.
        becomes: what a YAML 1.1 loader turns it into, as ``repr`` text.
    """

    key_path: str
    line: int
    text: str
    kind: str
    becomes: str


class LoadedYaml(NamedTuple):
    """Result of :func:`load`.

    Attributes:
        data: the mapping, scalars kept as written (``str``), ``None`` for YAML nulls.
        key_lines: dotted key path -> 1-based line within the block.
        duplicates: (dotted key path, 1-based line) of every repeated key.
        implicit_types: plain scalars YAML 1.1 would convert.
    """

    data: dict
    key_lines: dict[str, int]
    duplicates: list[tuple[str, int]]
    implicit_types: list[ImplicitType]


def load(text: str) -> LoadedYaml:
    """Parse one YAML mapping.

    Args:
        text: the front matter block without its ``---`` delimiters.

    Returns:
        :class:`LoadedYaml`; an empty block gives an empty mapping.

    Raises:
        YamlError: syntax error (with its line), more than one document, a top level
            that is not a mapping, or alias expansion beyond :data:`MAX_NODES`.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise YamlError(f"invalid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    out = LoadedYaml({}, {}, [], [])  # filled in by _build
    if node is None:
        return out
    if not isinstance(node, yaml.MappingNode):
        raise YamlError("front matter is not a mapping of keys to values", node.start_mark.line + 1)
    budget = [MAX_NODES]
    try:
        data = _build(node, "", out, budget)
    except RecursionError:
        raise YamlError("front matter is nested too deeply or refers to itself", node.start_mark.line + 1) from None
    return out._replace(data=data)


def _build(node: yaml.Node, path: str, out: LoadedYaml, budget: list[int]):
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(
            f"front matter expands to more than {MAX_NODES} values (YAML alias bomb?)",
            node.start_mark.line + 1,
        )
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style  # None from PyYAML's Python loader, "" from libyaml
        if node.tag == "tag:yaml.org,2002:null" and plain:
            return None
        if plain and node.tag in _SURPRISING_TAGS and not _harmless(node):
            try:
                becomes = repr(yaml.safe_load(node.value))
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                # e.g. 2024-02-30: resolved as a timestamp, but PyYAML's constructor raises
                becomes = f"an error ({exc})" if not isinstance(exc, yaml.YAMLError) else "?"
            out.implicit_types.append(
                ImplicitType(path, node.start_mark.line + 1, node.value, _SURPRISING_TAGS[node.tag], becomes)
            )
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, f"{path}[{i}]", out, budget) for i, child in enumerate(node.value)]
    result: dict = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(_build(key_node, path, out, budget))
        key_path = f"{path}.{key}" if path else key
        line = key_node.start_mark.line + 1
        if key in result:
            out.duplicates.append((key_path, line))
        out.key_lines[key_path] = line
        result[key] = _build(value_node, key_path, out, budget)
    return result


def _harmless(node: yaml.ScalarNode) -> bool:
    """Plain integers and true/false mean what they say; only report real surprises."""
    text = node.value
    if node.tag == "tag:yaml.org,2002:int":
        return text.isdigit() and (text == "0" or not text.startswith("0"))
    if node.tag == "tag:yaml.org,2002:bool":
        return text in ("true", "false")
    return False
