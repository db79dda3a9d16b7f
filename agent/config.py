"""Configuration of the checks, read from the checked enhancements repository.

Looked up at the repository root (the directory holding ``veps/``), first match wins:

1. ``.vep-review.yaml`` (or ``.vep-review.yml``)::

       disable: [section-order, VEP204]     # IDs or names
       enable: []                           # rules that are off by default
       severity: {VEP403: error}            # re-grade: error | warning | info
       new: false                           # treat every VEP as new: front matter required
       llm:                                 # the LLM reviewer (vep-review review)
         model: claude-sonnet-5-5           # default model ($VEP_REVIEW_MODEL and --model win)
         reviewers: [design_gaps, cross_sig, feature_gate]
         max_findings: 5                    # LLM findings per VEP, best ranked (--max-findings wins)
         max_findings_per_reviewer: 5
         timeout: 120                       # seconds for the whole LLM part (--llm-timeout wins)

2. ``pyproject.toml``, table ``[tool.vep-review]`` with the same keys.

Inline, in a VEP: ``<!-- vep-review: disable=ID[,ID…] -->`` anywhere in the document
suppresses those rules for that document.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from agent.rules import get_rule

_INLINE_RE = re.compile(r"<!--\s*vep-review:\s*disable=([\w\-, ]+?)\s*-->")
_LEVELS = ("error", "warning", "info")


class ConfigError(ValueError):
    """The configuration file is unreadable or names an unknown rule or severity; the
    message is one line for the user (exit code 2)."""


class Config:
    """Which rules run and at what severity.

    Attributes:
        disabled: rule IDs switched off.
        enabled: rule IDs switched on that are off by default.
        severity: rule ID -> severity that replaces the default.
        new: treat every checked VEP as new (front matter becomes required).
        source: the file the configuration came from, if any.
        llm: settings of the LLM reviewer (``[tool.vep-review.llm]``).
    """

    __slots__ = ("disabled", "enabled", "severity", "new", "source", "llm")

    def __init__(self, disabled: set[str] | None = None, enabled: set[str] | None = None,
                 severity: dict[str, str] | None = None, new: bool = False, source: str | None = None,
                 llm: dict | None = None):
        self.disabled: set[str] = disabled if disabled is not None else set()
        self.enabled: set[str] = enabled if enabled is not None else set()
        self.severity: dict[str, str] = severity if severity is not None else {}
        self.new = new
        self.source = source
        self.llm: dict = llm if llm is not None else {}

    def __repr__(self) -> str:
        return (f"Config(disabled={self.disabled!r}, enabled={self.enabled!r}, severity={self.severity!r}, "
                f"new={self.new!r}, source={self.source!r})")

    def is_enabled(self, rule_id: str, default: bool = True) -> bool:
        """Whether ``rule_id`` runs."""
        if rule_id in self.disabled:
            return False
        return default or rule_id in self.enabled

    @classmethod
    def from_mapping(cls, data: dict, source: str | None = None) -> Config:
        """Validate a configuration mapping.

        Raises:
            ConfigError: unknown key, rule or severity.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: configuration must be a mapping")
        unknown = set(data) - {"disable", "enable", "severity", "new", "llm"}
        if unknown:
            raise ConfigError(f"{source}: unknown configuration key(s): {', '.join(sorted(unknown))}")
        cfg = cls(source=source, new=bool(data.get("new", False)), llm=_llm_settings(data.get("llm"), source))
        cfg.disabled = {_rule_id(k, source) for k in _as_list(data.get("disable"))}
        cfg.enabled = {_rule_id(k, source) for k in _as_list(data.get("enable"))}
        for key, level in (data.get("severity") or {}).items():
            if level not in _LEVELS:
                raise ConfigError(f"{source}: severity of {key} must be one of {', '.join(_LEVELS)}, not {level!r}")
            cfg.severity[_rule_id(key, source)] = level
        return cfg


_LLM_KEYS = {"model", "effort", "reviewers", "max_findings", "max_findings_per_reviewer", "min_confidence", "output_mode",
             "timeout"}


#: The reviewers ``llm: {reviewers: […]}`` may name (agent/llm/reviewers.py), by key, rule ID or name.
LLM_REVIEWERS = {"design_gaps": ("LLM101", "design-gap"), "cross_sig": ("LLM201", "cross-sig-impact"),
                 "feature_gate": ("LLM301", "feature-gate-justification")}
#: ``output_config.effort`` levels of the Messages API.
LLM_EFFORTS = ("low", "medium", "high", "max")


def _number(value, source, key: str, low: float, high: float, integer: bool = False, what: str = "a number",
            above: bool = False):
    """``value`` as a number in ``[low, high]`` (``(low, high]`` with ``above``), or ConfigError."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float, str))
    try:
        number = float(value) if ok else None
    except ValueError:
        number = None
    if number is not None and not math.isfinite(number):
        number = None
    if number is not None and integer and number != int(number):
        number = None
    if number is None or not low <= number <= high or (above and number == low):
        bounds = f"{low:g} {'<' if above else '<='} {key} <= {high:g}"
        raise ConfigError(f"{source}: llm {key} must be {what} ({bounds}), not {str(value)[:40]!r}")
    return int(number) if integer else number


def _llm_settings(value, source: str | None) -> dict:
    """The ``llm:`` mapping (settings of ``vep-review review``), checked key by key so that a
    bad value is one line naming it, not a failure in the middle of a review.

    Returns:
        the settings with numbers as numbers and ``reviewers`` as reviewer keys.

    Raises:
        ConfigError: an unknown key, or a value of the wrong type or out of range.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: llm must be a mapping")
    unknown = set(value) - _LLM_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown llm setting(s): {', '.join(sorted(map(str, unknown)))}")
    out = dict(value)
    if "timeout" in value:  # seconds for the whole LLM part of a review (--llm-timeout)
        out["timeout"] = _number(value["timeout"], source, "timeout", 0, 86400, what="a number of seconds", above=True)
    for key, high in (("max_findings", 100), ("max_findings_per_reviewer", 100)):
        if key in value:
            out[key] = _number(value[key], source, key, 0, high, integer=True, what="a whole number")
    if "min_confidence" in value:
        out["min_confidence"] = _number(value["min_confidence"], source, "min_confidence", 0, 1)
    if "model" in value and (not isinstance(value["model"], str) or not value["model"].strip()):
        raise ConfigError(f"{source}: llm model must be a model ID such as claude-sonnet-5-5, not {value['model']!r}")
    if "effort" in value and value["effort"] is not None and value["effort"] not in LLM_EFFORTS:
        raise ConfigError(f"{source}: llm effort must be one of {', '.join(LLM_EFFORTS)}, not {str(value['effort'])[:40]!r}")
    if "output_mode" in value and value["output_mode"] not in ("json", "tool"):
        raise ConfigError(f"{source}: llm output_mode must be json or tool, not {str(value['output_mode'])[:40]!r}")
    if "reviewers" in value:
        names = _as_list(value["reviewers"])
        keys = []
        for name in names:
            key = next((k for k, (rule, long) in LLM_REVIEWERS.items() if name in (k, long) or name.upper() == rule), None)
            if key is None:
                raise ConfigError(f"{source}: unknown llm reviewer {name!r} (one of: {', '.join(LLM_REVIEWERS)}, "
                                  "or their rule IDs LLM101, LLM201, LLM301)")
            keys.append(key)
        out["reviewers"] = keys
    return out


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def _rule_id(key: str, source: str | None) -> str:
    rule = get_rule(str(key))
    if rule is None:
        raise ConfigError(f"{source}: unknown rule {key!r} (see 'vep-review rules')")
    return rule.id


def load_config(repo_root: Path | None, explicit: str | None = None) -> Config:
    """Load the configuration for a repository.

    Args:
        repo_root: the enhancements checkout, or ``None`` (defaults apply).
        explicit: a file named with ``--config``; it must exist.

    Raises:
        ConfigError: unreadable or invalid file.
    """
    candidates: list[Path] = []
    if explicit:
        candidates = [Path(explicit)]
        if not candidates[0].is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
    elif repo_root is not None:
        candidates = [repo_root / ".vep-review.yaml", repo_root / ".vep-review.yml", repo_root / "pyproject.toml"]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
        if path.suffix == ".toml":
            import tomllib

            try:
                table = tomllib.loads(text).get("tool", {}).get("vep-review")
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: invalid TOML ({exc})") from None
            if table is None:
                continue
            return Config.from_mapping(table, str(path))
        import yaml

        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML ({str(exc).splitlines()[0]})") from None
        return Config.from_mapping(data, str(path))
    return Config()


def inline_disabled_names(text: str) -> set[str]:
    """The rule IDs and names, as written, of the ``<!-- vep-review: disable=… -->`` comments
    in ``text``."""
    return {key.strip() for m in _INLINE_RE.finditer(text) for key in m.group(1).split(",")}


def inline_disabled(text: str) -> set[str]:
    """Rule IDs disabled by ``<!-- vep-review: disable=… -->`` comments in ``text``;
    unknown names are ignored (a typo must not hide other findings)."""
    return {rule.id for rule in map(get_rule, inline_disabled_names(text)) if rule is not None}

