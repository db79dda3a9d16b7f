"""Each front matter field holds a value of the shape the schema gives it.

**What it checks.** One validator per field of the VEP-282 schema, in the manner of
python/peps' header linter: each yields one message per problem, at the key's line (or the
list entry's, or the ``milestone`` stage's).

- ``title``: one line of text.
- ``vep-number``: a positive whole number (``307``; ``"307"`` and ``"#307"`` are read the
  same way); the template's ``NNNN`` is a placeholder, not a number.
- ``creation-date``: ``YYYY-MM-DD``, and a real calendar date; a date after tomorrow
  (``--today`` plus a day, for time zones) is a warning: a VEP cannot be proposed in the
  future, so it is a typo (``2052`` for ``2025``).
- ``status``: one of ``provisional``, ``implementable``, ``implemented``, ``deferred``,
  ``rejected``, ``withdrawn``, ``replaced``, in lower case (the closest is suggested).
- ``authors``: a list of GitHub handles written ``"@name"`` (letters, digits and hyphens,
  at most 39 characters); each person once.
- ``reviewers``, ``approvers``: lists of ``"@name"`` handles or the placeholder ``TBD``
  (``TBA`` is read the same way); the implementable gate is VEP209's job.
  A bare login without ``@`` (``reviewers: [bob]``) is a warning, not an error: it names
  the person unambiguously, kubevirt/enhancements' own validator (``validate_vep.py``)
  accepts it, and the schema shows ``@github-handle`` only for ``authors``.
- ``owning-sig``: one SIG name; ``participating-sigs``: a list of SIG names (whether the SIGs
  exist is VEP207's job).
- ``stage``: ``alpha``, ``beta`` or ``ga``.
- ``milestone``: a mapping whose keys are ``alpha``, ``beta``, ``ga`` and whose values are
  minor releases ``"vX.Y"`` (``TBD`` while unplanned; an empty value counts as omitted), in
  non-decreasing order alpha <= beta <= ga.
- ``replaces``, ``superseded-by``: empty, or one VEP number other than this VEP's own.
- ``feature-gate``: one CamelCase identifier, as KubeVirt feature gates are spelled
  (``NetworkBindingPlugins``); the template's ``FeatureName`` is a placeholder.

Values of the wrong type (a list where one value is expected, a mapping, …) get a message
saying so. Missing and empty required fields are VEP205's, YAML 1.1 type surprises VEP204's;
empty optional fields are fine. The VEP template itself is not checked (its values are
placeholders on purpose).

**Why.** docs/vep-governance.md, "Front Matter Schema", and meta-VEP 282, "CI Enforcement":
the validator checks that "all required fields exist and have valid values" and that
``status`` is "one of the seven valid states". Tooling (the release team's boards, the VEP
Freeze check) reads these fields; a ``status: Implementable``, ``milestone: {alpha: 1.9}``
or ``authors: bgaussen`` is read wrong or not at all.

**Anti-pattern.** ``status: draft``, ``creation-date: 2024-02-30``, ``authors: [Jane Doe]``,
``milestone: {alpha2: v1.8}``, ``feature-gate: network binding plugins``.

**Best practice.** Copy the schema block from docs/vep-governance.md and fill in each value
in its documented form: ``status: provisional``, ``authors: ["@jdoe"]``,
``milestone: {alpha: "v1.9"}``, ``feature-gate: NetworkBindingPlugins``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import NamedTuple

from agent.document import MAX_NUMBER_DIGITS, small_int
from agent.rules import Problem

ID = "VEP206"
NAME = "field-value"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Front Matter Schema; meta-VEP 282, CI Enforcement (required fields have valid values)"
FIX = "Write the value in the form docs/vep-governance.md, Front Matter Schema, gives it."

#: The seven governance states (docs/vep-governance.md, "Governance States").
STATUSES = ("provisional", "implementable", "implemented", "deferred", "rejected", "withdrawn", "replaced")

#: Implementation stages (``stage`` and the keys of ``milestone``).
STAGES = ("alpha", "beta", "ga")

#: Words people use for a state, mapped to the VEP state they mean (KEP, PEP and project
#: board vocabulary; meta-VEP 282: provisional ~ "proposed", implementable ~ "tracked").
STATUS_SYNONYMS = {
    "draft": "provisional", "proposed": "provisional", "open": "provisional",
    "accepted": "implementable", "approved": "implementable", "tracked": "implementable",
    "final": "implemented", "done": "implemented", "completed": "implemented", "complete": "implemented",
    "ga": "implemented", "superseded": "replaced", "abandoned": "withdrawn", "postponed": "deferred",
}

#: Words people use for a stage.
STAGE_SYNONYMS = {"stable": "ga", "general availability": "ga", "generally available": "ga", "released": "ga"}

#: ``vX.Y``: a KubeVirt minor release, as milestones name them.
VERSION_RE = re.compile(r"v(\d+)\.(\d+)")
#: ``@login``: GitHub logins are letters, digits and hyphens, at most 39, not starting with one.
HANDLE_RE = re.compile(r"@[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_LOGIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_EMBEDDED_HANDLE_RE = re.compile(r"(?:^|[\s(\[<])@([A-Za-z0-9][A-Za-z0-9-]{0,38})\b")
#: KubeVirt feature gates are CamelCase identifiers: ``NetworkBindingPlugins``, ``VMExport``.
GATE_RE = re.compile(r"[A-Z][A-Za-z0-9]*")
_NUMBER_RE = re.compile(r"#?\s*(\d+)")
_PLACEHOLDER_NUMBER_RE = re.compile(r"#?\s*N+", re.I)
_NOT_A_VALUE = {"n/a", "na", "none", "null", "nil", "-", "no", "todo", "?", "unknown"}


# ---------------------------------------------------------------------------------------
# Helpers shared with the other front matter rules (VEP205, VEP207, VEP209, VEP210, VEP212)


def usable(doc):
    """The document's :class:`~agent.document.FrontMatter` when it exists and loaded
    without error, else ``None`` (VEP201/VEP203 report those cases)."""
    fm = doc.front_matter
    if fm is None or fm.error is not None:
        return None
    return fm


def is_empty(value) -> bool:
    """``None``, a blank string, ``[]`` and ``{}`` count as empty (VEP205)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict, tuple, set)):
        return not value
    return False


def is_tbd(value) -> bool:
    """The placeholder ``TBD`` (any case; ``TBA`` too) that stands for "not assigned yet"."""
    return isinstance(value, str) and value.strip().strip("\"'").lower() in {"tbd", "tba"}


def describe(value) -> str:
    """``"a list"``, ``"a mapping"``, ``"empty"``, ``"a number"``, ``"text"``: a value's kind,
    for messages about wrong types."""
    if is_empty(value):
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


def closest(word: str, choices) -> str | None:
    """The choice most like ``word`` (difflib, case-insensitive), or ``None``."""
    import difflib  # only when there is something to suggest: ~3 ms of every start otherwise

    found = difflib.get_close_matches(str(word).strip().lower(), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def vep_number(value) -> int | None:
    """``307``, ``"307"`` and ``"#307"`` -> 307; anything else -> ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    m = _NUMBER_RE.fullmatch(value.strip())
    return small_int(m[1]) if m else None  # more than MAX_NUMBER_DIGITS digits: not a VEP number


def version(value) -> tuple[int, int] | None:
    """``"v1.9"`` -> ``(1, 9)``; anything that is not ``vX.Y`` -> ``None``."""
    if not isinstance(value, str):
        return None
    m = VERSION_RE.fullmatch(value.strip())
    if not m:
        return None
    major, minor = small_int(m[1]), small_int(m[2])  # too many digits: not a release
    return (major, minor) if major is not None and minor is not None else None


def _too_long(text: str) -> bool:
    """``text`` holds a digit run longer than any VEP number or release number."""
    return re.search(rf"\d{{{MAX_NUMBER_DIGITS + 1}}}", text) is not None


def _shown(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


@lru_cache(maxsize=64)
def _sequence_lines(raw: str) -> dict[str, tuple[int, ...]]:
    """Top-level key -> 0-based block lines of its sequence entries (composed again, without
    constructing values: aliases are not expanded, so this is cheap on any input)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(raw, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return {}
    out: dict[str, tuple[int, ...]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode):
                out[key.value] = tuple(child.start_mark.line for child in value.value)
    return out


def item_line(fm, key: str, index: int) -> int:
    """1-based file line of entry ``index`` of the top-level list ``key``; the key's line
    when it cannot be told (e.g. several entries on one line count as that line)."""
    lines = _sequence_lines(fm.raw).get(key, ())
    if 0 <= index < len(lines):
        return fm.start_line + 1 + lines[index]
    return fm.line_of(key)


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------
# Validators: value -> issues


class Issue(NamedTuple):
    """One problem found by a validator.

    Attributes:
        message: one sentence stating the problem.
        fix: one imperative sentence.
        item: index of the list entry concerned, if any.
        subkey: dotted key path concerned (``"milestone.beta"``), if not the field itself.
        severity: overrides the rule's severity.
    """

    message: str
    fix: str
    item: int | None = None
    subkey: str | None = None
    severity: str | None = None


Validator = Callable[[object, object], Iterator[Issue]]


def _single_text(key: str, value, example: str) -> Issue | None:
    if isinstance(value, str):
        return None
    if isinstance(value, list):
        return Issue(f"`{key}` is a list, but it holds a single value.", f"Write one value: `{key}: {example}`.")
    return Issue(f"`{key}` is {describe(value)}, not a single value.", f"Write one value: `{key}: {example}`.")


def validate_title(value, fm) -> Iterator[Issue]:
    """One line of text."""
    bad = _single_text("title", value, "Short descriptive title")
    if bad:
        yield bad
    elif "\n" in value.strip():
        yield Issue("`title` spans several lines.", "Write the title on one line.")


def validate_vep_number(value, fm) -> Iterator[Issue]:
    """A positive whole number: the tracking issue's."""
    bad = _single_text("vep-number", value, "<tracking issue number>")
    if bad:
        yield bad
        return
    text = value.strip()
    if _PLACEHOLDER_NUMBER_RE.fullmatch(text):
        yield Issue(f"`vep-number: {text}` is the template's placeholder, not a number.",
                    "Set `vep-number` to the number of the VEP's tracking issue.")
        return
    number = vep_number(text)
    if number is None and _too_long(text):
        yield Issue(f"`vep-number: {_shown(text)}` is not a valid VEP number: it has more than "
                    f"{MAX_NUMBER_DIGITS} digits.", "Set `vep-number` to the number of the VEP's tracking issue.")
    elif number is None:
        digits = re.findall(r"\d+", text)
        fix = (f"Write just the number: `vep-number: {digits[-1].lstrip('0') or '0'}`." if len(digits) == 1
               else "Set `vep-number` to the number of the VEP's tracking issue, digits only.")
        yield Issue(f"`vep-number: {text}` is not a number.", fix)
    elif number <= 0:
        yield Issue(f"`vep-number: {text}` is not a positive number.",
                    "Set `vep-number` to the number of the VEP's tracking issue.")


def validate_creation_date(value, fm) -> Iterator[Issue]:
    """``YYYY-MM-DD`` and a real date."""
    bad = _single_text("creation-date", value, '"YYYY-MM-DD"')
    if bad:
        yield bad
        return
    text = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if text.upper() == "YYYY-MM-DD":
        yield Issue("`creation-date` is the template's placeholder `YYYY-MM-DD`.",
                    'Write the date the VEP was proposed: `creation-date: "2025-01-31"`.')
    elif not m:
        yield Issue(f"`creation-date: {text}` is not a date written YYYY-MM-DD.",
                    'Write the date as year-month-day: `creation-date: "2025-01-31"`.')
    else:
        try:
            dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            yield Issue(f"`creation-date: {text}` is not a real calendar date.",
                        "Correct the month or day of `creation-date`.")


def _date(value) -> dt.date | None:
    """A ``creation-date`` value written YYYY-MM-DD as a date, else None."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value.strip()) if isinstance(value, str) else None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def validate_status(value, fm) -> Iterator[Issue]:
    """One of the seven governance states, lower case."""
    if not isinstance(value, str):
        yield Issue(f"`status` is {describe(value)}, but a VEP is in exactly one state.",
                    f"Write one state: `status: provisional` (one of {', '.join(STATUSES)}).")
        return
    text = value.strip()
    if text in STATUSES:
        return
    if text.lower() in STATUSES:
        yield Issue(f"`status: {text}` is not written in lower case.", f"Write `status: {text.lower()}`.")
        return
    guess = STATUS_SYNONYMS.get(text.lower()) or closest(text, STATUSES)
    hint = f" (did you mean `{guess}`?)" if guess else ""
    yield Issue(f"`status: {text}` is not one of the seven VEP states{hint}.",
                f"Use one of: {', '.join(STATUSES)}.")


def _handle_list(key: str, value, allow_tbd: bool) -> Iterator[Issue]:
    example = '["@name"]' if not allow_tbd else '["@name"]` or `[TBD]'
    if isinstance(value, str):
        text = value.strip()
        if HANDLE_RE.fullmatch(text):
            item = quoted(text)
        elif allow_tbd and is_tbd(text):
            item = "TBD"
        else:
            item = '"@name"'
        yield Issue(f"`{key}` is a single value, not a list.", f"Write it as a YAML list: `{key}: [{item}]`.")
        return
    if not isinstance(value, list):
        yield Issue(f"`{key}` is {describe(value)}, not a list of GitHub handles.",
                    f"Write it as a YAML list of handles: `{key}: {example}`.")
        return
    seen: dict[str, int] = {}
    for i, entry in enumerate(value):
        if not isinstance(entry, str) or not entry.strip():
            yield Issue(f"Entry {i + 1} of `{key}` is {describe(entry)}, not a GitHub handle.",
                        'Write each entry as a quoted handle: `- "@name"`.', item=i)
            continue
        text = entry.strip()
        if is_tbd(text):
            if not allow_tbd:
                yield Issue(f"`{key}` lists `{text}`, but the authors of a VEP are known.",
                            'List the authors\' GitHub handles: `- "@name"`.', item=i)
            continue
        if HANDLE_RE.fullmatch(text):
            login = text.lower()
            if login in seen:
                yield Issue(f"`{text}` is listed twice in `{key}`.", "Remove the repeated entry.", item=i)
            seen[login] = i
            continue
        if text.lower() in _NOT_A_VALUE | {"tbc"}:
            placeholder = "" if not allow_tbd else " (the schema's placeholder is `TBD`)"
            yield Issue(f"`{text}` in `{key}` is not a GitHub handle{placeholder}.",
                        "Write `TBD` until the SIG assigns someone." if allow_tbd
                        else 'List the authors\' GitHub handles: `- "@name"`.', item=i)
        elif _LOGIN_RE.fullmatch(text):
            # a bare login (`reviewers: [bob]`) names the person unambiguously and upstream's
            # validator accepts it; the schema shows `@` only for authors: a warning there
            yield Issue(f"`{text}` in `{key}` is not written as a GitHub handle.",
                        f"Prefix it with @ and quote it: `- \"@{text}\"`.", item=i,
                        severity=None if key == "authors" else "warning")
        else:
            embedded = _EMBEDDED_HANDLE_RE.search(text)
            fix = (f"Write just the handle: `- \"@{embedded[1]}\"`." if embedded
                   else 'Write a GitHub handle, quoted: `- "@name"`.')
            yield Issue(f"`{text}` in `{key}` is not a GitHub handle.", fix, item=i)


def validate_authors(value, fm) -> Iterator[Issue]:
    """A list of ``"@handle"``."""
    yield from _handle_list("authors", value, allow_tbd=False)


def validate_reviewers(value, fm) -> Iterator[Issue]:
    """A list of ``"@handle"`` or ``TBD``."""
    yield from _handle_list("reviewers", value, allow_tbd=True)


def validate_approvers(value, fm) -> Iterator[Issue]:
    """A list of ``"@handle"`` or ``TBD``."""
    yield from _handle_list("approvers", value, allow_tbd=True)


def validate_owning_sig(value, fm) -> Iterator[Issue]:
    """One SIG name (whether it exists is VEP207's)."""
    if isinstance(value, list):
        yield Issue("`owning-sig` is a list, but a VEP has one owning SIG.",
                    "Keep the owning SIG in `owning-sig` and list the others in `participating-sigs`.")
    elif not isinstance(value, str):
        yield Issue(f"`owning-sig` is {describe(value)}, not a SIG name.", "Write one SIG: `owning-sig: sig-compute`.")
    elif len(value.split()) > 1 or "," in value:
        yield Issue(f"`owning-sig: {value.strip()}` names more than one SIG.",
                    "Keep the owning SIG in `owning-sig` and list the others in `participating-sigs`.")


def validate_participating_sigs(value, fm) -> Iterator[Issue]:
    """A list of SIG names, each once."""
    if isinstance(value, str):
        yield Issue("`participating-sigs` is a single value, not a list.",
                    f"Write it as a YAML list: `participating-sigs: [{value.strip()}]`.")
        return
    if not isinstance(value, list):
        yield Issue(f"`participating-sigs` is {describe(value)}, not a list of SIG names.",
                    "Write it as a YAML list: `participating-sigs: [sig-storage]`, or `[]`.")
        return
    seen = set()
    for i, entry in enumerate(value):
        if not isinstance(entry, str) or not entry.strip():
            yield Issue(f"Entry {i + 1} of `participating-sigs` is {describe(entry)}, not a SIG name.",
                        "Write each entry as a SIG name: `- sig-storage`.", item=i)
        elif entry.strip() in seen:
            yield Issue(f"`{entry.strip()}` is listed twice in `participating-sigs`.", "Remove the repeated entry.", item=i)
        else:
            seen.add(entry.strip())


def _stage_issue(key: str, text: str, subkey: str | None = None) -> Issue | None:
    if text in STAGES:
        return None
    if text.lower() in STAGES:
        return Issue(f"`{key}: {text}` is not written in lower case.", f"Write `{key}: {text.lower()}`.", subkey=subkey)
    guess = STAGE_SYNONYMS.get(text.lower()) or closest(text, STAGES)
    hint = f" (did you mean `{guess}`?)" if guess else ""
    return Issue(f"`{key}: {text}` is not a stage{hint}.", "Use one of: alpha, beta, ga.", subkey=subkey)


def validate_stage(value, fm) -> Iterator[Issue]:
    """``alpha``, ``beta`` or ``ga``."""
    bad = _single_text("stage", value, "alpha")
    if bad:
        yield bad
        return
    issue = _stage_issue("stage", value.strip())
    if issue:
        yield issue


def _milestone_value_issue(stage: str, value, subkey: str) -> Issue | None:
    if is_empty(value) or is_tbd(value):
        return None
    if not isinstance(value, str):
        return Issue(f"`milestone.{stage}` is {describe(value)}, not a release.",
                     f'Write one release: `{stage}: "v1.9"`.', subkey=subkey)
    text = value.strip()
    if version(text):
        return None
    if _too_long(text):
        return Issue(f"`milestone.{stage}: {_shown(text)}` is not a valid release: a number of more than "
                     f"{MAX_NUMBER_DIGITS} digits.", f'Write the KubeVirt minor release: `{stage}: "v1.9"`.', subkey=subkey)
    if re.fullmatch(r"\d+\.\d+", text):
        return Issue(f"`milestone.{stage}: {text}` has no leading `v`.", f'Write `{stage}: "v{text}"`.', subkey=subkey)
    m = re.fullmatch(r"[vV]?(\d+)\.(\d+)\.\d+", text)
    if m:
        return Issue(f"`milestone.{stage}: {text}` names a patch release, but milestones are minor releases.",
                     f'Write `{stage}: "v{m[1]}.{m[2]}"`.', subkey=subkey)
    m = re.fullmatch(r"V(\d+)\.(\d+)", text)
    if m:
        return Issue(f"`milestone.{stage}: {text}` is not written with a lower-case `v`.",
                     f'Write `{stage}: "v{m[1]}.{m[2]}"`.', subkey=subkey)
    if re.fullmatch(r"v?\d+\.[xX]", text):
        return Issue(f"`milestone.{stage}: {text}` is the template's placeholder, not a release.",
                     f'Name the release, e.g. `{stage}: "v1.9"`, or write `TBD` until it is known.', subkey=subkey)
    if text.lower() in _NOT_A_VALUE:
        return Issue(f"`milestone.{stage}: {text}` is not a release.",
                     f"Omit `{stage}` until it is planned, or write `TBD`.", subkey=subkey)
    return Issue(f"`milestone.{stage}: {text}` is not a release written `vX.Y`.",
                 f'Write the KubeVirt minor release: `{stage}: "v1.9"`.', subkey=subkey)


def validate_milestone(value, fm) -> Iterator[Issue]:
    """A mapping of stage -> ``"vX.Y"`` (or ``TBD``), stages in release order."""
    if isinstance(value, str):
        shown = quoted(value.strip())
        yield Issue("`milestone` is a single value, not a mapping of stage to release.",
                    f"Write it as a mapping: `milestone: {{alpha: {shown}}}`.")
        return
    if not isinstance(value, dict):
        yield Issue(f"`milestone` is {describe(value)}, not a mapping of stage to release.",
                    'Write it as a mapping: `milestone: {alpha: "v1.9"}`.')
        return
    versions = {}
    for stage, target in value.items():
        subkey = f"milestone.{stage}"
        name = str(stage).strip()
        if name not in STAGES:
            guess = STAGE_SYNONYMS.get(name.lower()) or closest(name, STAGES)
            if name.lower() in STAGES:
                yield Issue(f"`milestone.{name}` is not written in lower case.", f"Write `{name.lower()}:`.", subkey=subkey)
            else:
                hint = f" (did you mean `{guess}`?)" if guess else ""
                yield Issue(f"`milestone.{name}` is not a stage{hint}.",
                            "Use the keys alpha, beta and ga under `milestone`.", subkey=subkey)
            continue
        issue = _milestone_value_issue(name, target, subkey)
        if issue:
            yield issue
        elif version(target):
            versions[name] = version(target)
    for i, early in enumerate(STAGES):
        for late in STAGES[i + 1:]:
            if early in versions and late in versions and versions[late] < versions[early]:
                yield Issue(f"`milestone.{late}` (v{'.'.join(map(str, versions[late]))}) comes before "
                            f"`milestone.{early}` (v{'.'.join(map(str, versions[early]))}).",
                            f"Target {late} in the same release as {early} or a later one.", subkey=f"milestone.{late}")


def _vep_reference(key: str, value, fm) -> Iterator[Issue]:
    bad = _single_text(key, value, '"<VEP number>"')
    if bad:
        yield Issue(bad.message.replace("holds a single value", "names one VEP"), bad.fix)
        return
    text = value.strip()
    number = vep_number(text)
    if number is None and _too_long(text):
        yield Issue(f"`{key}: {_shown(text)}` is not a valid VEP number: it has more than {MAX_NUMBER_DIGITS} digits.",
                    f'Write the VEP number, e.g. `{key}: "123"`, or leave it empty.')
        return
    if number is None:
        url = re.search(r"/(?:issues|pull)/(\d+)", text) or re.fullmatch(r"(?:VEP)?\s*[-#:]?\s*#?(\d+)", text, re.I)
        fix = (f'Write just the number: `{key}: "{url[1]}"`.' if url
               else f'Write the VEP number, e.g. `{key}: "123"`, or leave it empty.')
        yield Issue(f"`{key}: {text}` is not a VEP number.", fix)
        return
    own = vep_number(fm.get("vep-number")) if fm is not None else None
    if own is not None and number == own:
        yield Issue(f"`{key}: {text}` names this VEP itself.", f'Name the other VEP, or leave `{key}` empty.')


def validate_replaces(value, fm) -> Iterator[Issue]:
    """Empty or one VEP number."""
    yield from _vep_reference("replaces", value, fm)


def validate_superseded_by(value, fm) -> Iterator[Issue]:
    """Empty or one VEP number."""
    yield from _vep_reference("superseded-by", value, fm)


def validate_feature_gate(value, fm) -> Iterator[Issue]:
    """One CamelCase identifier."""
    if isinstance(value, list):
        yield Issue("`feature-gate` is a list, but the schema names one gate.",
                    "Name the VEP's feature gate: `feature-gate: NetworkBindingPlugins`.")
        return
    if not isinstance(value, str):
        yield Issue(f"`feature-gate` is {describe(value)}, not a feature gate name.",
                    "Name the VEP's feature gate: `feature-gate: NetworkBindingPlugins`.")
        return
    text = value.strip()
    if GATE_RE.fullmatch(text):
        if text == "FeatureName":
            yield Issue("`feature-gate: FeatureName` is the template's placeholder.",
                        "Name the gate the feature is guarded by, e.g. `feature-gate: NetworkBindingPlugins`.")
        return
    if text.lower() in _NOT_A_VALUE:
        yield Issue(f"`feature-gate: {text}` is not a feature gate name.",
                    "Omit `feature-gate` and justify the opt-out in the VEP body, as the schema says.")
        return
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    camel = "".join(w[:1].upper() + w[1:] for w in words)
    fix = (f"Write the gate's name as KubeVirt spells it: `feature-gate: {camel}`." if GATE_RE.fullmatch(camel)
           else "Write the gate's CamelCase name: `feature-gate: NetworkBindingPlugins`.")
    if len(words) > 1 and re.search(r"\s", text):
        yield Issue(f"`feature-gate: {text}` is not a single identifier.", fix)
    else:
        yield Issue(f"`feature-gate: {text}` is not a CamelCase identifier as KubeVirt feature gates are.", fix)


#: field -> validator, in schema order.
VALIDATORS: dict[str, Validator] = {
    "title": validate_title,
    "vep-number": validate_vep_number,
    "creation-date": validate_creation_date,
    "status": validate_status,
    "authors": validate_authors,
    "owning-sig": validate_owning_sig,
    "participating-sigs": validate_participating_sigs,
    "reviewers": validate_reviewers,
    "approvers": validate_approvers,
    "feature-gate": validate_feature_gate,
    "stage": validate_stage,
    "milestone": validate_milestone,
    "replaces": validate_replaces,
    "superseded-by": validate_superseded_by,
}


def check(doc, ctx):
    if doc.info.is_template:
        return
    fm = usable(doc)
    if fm is None:
        return
    created = _date(fm.data.get("creation-date"))
    if created is not None and created > ctx.today + dt.timedelta(days=1):  # a day for time zones
        yield Problem(f"`creation-date: {created.isoformat()}` is after today ({ctx.today.isoformat()}).",
                      line=fm.line_of("creation-date"), severity="warning",
                      fix="Write the date the VEP was proposed (year-month-day).")
    for key, validate in VALIDATORS.items():
        if key not in fm.data or is_empty(fm.data[key]):
            continue
        for issue in validate(fm.data[key], fm):
            if issue.item is not None:
                line = item_line(fm, key, issue.item)
            else:
                line = fm.line_of(issue.subkey or key)
            yield Problem(issue.message, line=line, fix=issue.fix, severity=issue.severity)
