"""``vep-review migrate PATH…``: give legacy VEPs their VEP-282 front matter.

For each VEP document without front matter (meta-VEP 282, "Migration of Existing VEPs"), the
front matter block that the repository already implies (:mod:`agent.commands.infer`) is put
above the first line; the body is never changed. Each inferred value carries a YAML comment
saying where it came from; what cannot be inferred is ``TBD`` with a comment, and listed per
VEP as what a person must still fill in. The YAML is written with ruamel.yaml in the order
and style of docs/vep-governance.md, "Front Matter Schema" (blank lines between groups, dates,
releases and handles double-quoted), and any other value a YAML 1.1 parser would read as
something other than a string is quoted too (VEP204).

By default a unified diff is printed (standard output) and nothing is written; ``--write``
edits the files in place. Documents that already have front matter (so a second run), the
template and supplementary documents are left alone, so a second run changes nothing.
"""

from __future__ import annotations

import difflib
import io
import re
import sys
from pathlib import Path
from typing import NamedTuple

from agent.commands.infer import SCHEMA_ORDER, Value, infer, release_dates, todos

#: Values the schema writes double-quoted.
_ALWAYS_QUOTED = ("creation-date", "replaces", "superseded-by")
_PLAIN_RE = re.compile(r"[A-Za-z][^:#\"'`\[\]{}|>&*!%@,]*")


class Migration(NamedTuple):
    """The migration of one document.

    Attributes:
        path: the file as named.
        old: its text, ``None`` when unreadable.
        new: the text with the front matter block; ``None`` when nothing is to be done.
        note: why nothing is done, or a one-line error.
        todo: what a person must still fill in.
    """

    path: str
    old: str | None
    new: str | None
    note: str | None
    todo: list[str]


def _yaml11_changes(text: str) -> bool:
    """A plain ``text`` would be read by a YAML 1.1 parser (PyYAML) as something else than a
    string (a date, number, boolean, null)."""
    import yaml

    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str"


def _scalar(key: str, text: str):
    """``text`` as ruamel.yaml should write it: double-quoted for the schema's quoted
    fields, GitHub handles, releases, and anything YAML 1.1 or YAML syntax would misread."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if text == "TBD":
        return text
    if key in _ALWAYS_QUOTED or text.startswith("@") or re.fullmatch(r"v\d+\.\d+", text) \
            or not _PLAIN_RE.fullmatch(text) or text != text.strip() or _yaml11_changes(text):
        return DoubleQuotedScalarString(text)
    return text


#: Comments start at this column, as in the schema block of docs/vep-governance.md.
_COMMENT_COLUMN = 26
#: The schema's groups of keys: a blank line between two groups.
_GROUPS = (("title", "vep-number", "creation-date", "status"), ("authors",), ("owning-sig", "participating-sigs"),
           ("reviewers", "approvers"), ("feature-gate", "stage", "milestone"), ("replaces", "superseded-by"))


def _shown(value) -> str:
    """How ``value`` (from :func:`_scalar`) is written on its line."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, DoubleQuotedScalarString):
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "[]" if value == [] else str(value)


def _eol(target, key, line: str, text: str | None) -> None:
    """Add ``# text`` after ``line`` (the text before the comment), at the schema's column."""
    if text:
        target.yaml_add_eol_comment("# " + " ".join(text.split()), key, column=max(_COMMENT_COLUMN, len(line) + 2))


def render_block(values: dict[str, Value], newline: str = "\n") -> str:
    """The front matter block for ``values`` (:func:`agent.commands.infer.infer`), ``---``
    lines included, ending with a newline; ``newline`` is the document's line ending."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    group_of = {key: i for i, keys in enumerate(_GROUPS) for key in keys}
    data = CommentedMap()
    pending: list[str] = []  # comments for omitted keys and notes, put above the next key written
    last_group = None
    for key in SCHEMA_ORDER:
        v = values.get(key)
        if v is None:
            continue
        if v.value is None or v.value == {}:
            note = v.source if v.value is None else None
            pending += [" ".join(t.split()) for t in (note, v.todo and "to fill in: " + v.todo) if t]
            continue
        if isinstance(v.value, list):
            seq = CommentedSeq(_scalar(key, str(x)) for x in v.value)
            data[key] = seq
            if v.value:
                _eol(seq, 0, "  - " + _shown(seq[0]), v.source)
            else:
                _eol(data, key, f"{key}: []", v.source)
        elif isinstance(v.value, dict):
            block = CommentedMap()
            for stage, sv in v.value.items():
                block[stage] = _scalar(stage, str(sv.value))
                _eol(block, stage, f"  {stage}: {_shown(block[stage])}", sv.source)
            data[key] = block
            if v.todo:
                pending.append("to fill in: " + " ".join(v.todo.split()))
        else:
            data[key] = v.value if isinstance(v.value, int) else _scalar(key, str(v.value))
            _eol(data, key, f"{key}: {_shown(data[key])}", v.source)
        blank = last_group is not None and group_of[key] != last_group
        if blank or pending:
            data.yaml_set_comment_before_after_key(key, before=("\n" if blank else "") + "\n".join(pending))
        last_group, pending = group_of[key], []
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per value, however long the title
    out = io.StringIO()
    yaml.dump(data, out)
    text = "---\n" + out.getvalue() + "---\n"
    return text.replace("\n", newline) if newline != "\n" else text


def migrate_document(path: Path, display: str, ctx, dates, git: bool = True) -> Migration:
    """The migration of one file (see the module docstring); never raises for a bad file."""
    from agent.document import parse, repo_relative
    from agent.rules.vep201_front_matter_missing import _misplaced_block

    try:
        data = path.read_bytes()
    except OSError as exc:
        return Migration(display, None, None, f"cannot read ({exc.strerror or exc})", [])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Migration(display, None, None, "not UTF-8 text; left alone", [])
    doc = parse(data, display, repo_relative(path))
    if doc.info.is_template:
        return Migration(display, text, None, "the VEP template; left alone", [])
    if doc.front_matter is not None:
        return Migration(display, text, None, "has front matter", [])
    if not text.strip() or "binary" in doc.notes:
        return Migration(display, text, None, "empty or binary; left alone", [])
    misplaced = _misplaced_block(doc)
    if misplaced is not None:
        return Migration(display, text, None, f"a front matter block starts at line {misplaced}: move it to the "
                                              "top by hand (VEP201)", [])
    values = infer(doc, ctx.template, dates, path, git=git)
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    new = bom + render_block(values, newline) + text[len(bom):]
    return Migration(display, text, new, None, todos(values))


def unified_diff(m: Migration) -> str:
    """``git diff``-style unified diff of a migration (``a/`` and ``b/`` prefixes)."""
    name = m.path[2:] if m.path.startswith("./") else m.path
    sep = "" if name.startswith("/") else "/"
    return "".join(difflib.unified_diff(m.old.splitlines(keepends=True), m.new.splitlines(keepends=True),
                                        f"a{sep}{name}", f"b{sep}{name}"))


def run(args) -> int:
    """``vep-review migrate`` (argparse namespace: paths, write, schedules, today, no_git).

    Returns:
        0, or 2 when a path does not exist or a file cannot be read or written.
    """
    import datetime as dt

    from agent.document import find_repo_root
    from agent.engine import CheckOptions, UsageError, build_context, discover
    from agent.schedules import ScheduleError

    if "-" in args.paths:
        print("vep-review: error: migrate edits files: name them, not '-' (standard input)", file=sys.stderr)
        return 2
    from agent.rules.vep106_stray_file import is_markdown

    found, errors, _ = discover(args.paths)
    for e in errors:
        print(f"vep-review: error: {e}", file=sys.stderr)
    docs = []
    for path in found:  # discover also gives the files VEP106 places (images, notes): they get no front matter
        if is_markdown(path.name):
            docs.append(path)
        else:
            print(f"{path}: not a markdown document; left alone", file=sys.stderr)
    today = args.today or dt.date.today()
    options = CheckOptions(schedules=args.schedules, today=today)
    contexts: dict = {}
    out, report = sys.stdout, (sys.stdout if args.write else sys.stderr)
    code = 2 if errors else 0
    changed = 0
    for path in docs:
        root = find_repo_root(path)
        if root not in contexts:
            try:
                ctx = build_context(options, root)
            except (ScheduleError, UsageError, ValueError) as exc:
                print(f"vep-review: error: {exc}", file=sys.stderr)
                return 2
            contexts[root] = (ctx, release_dates(ctx.schedules, today))
        ctx, dates = contexts[root]
        m = migrate_document(path, str(path), ctx, dates, git=not args.no_git)
        if m.new is None:
            if m.old is None or "left alone" in (m.note or "") or "by hand" in (m.note or ""):
                print(f"{m.path}: {m.note}", file=sys.stderr)
                code = 2 if m.old is None else code
            continue
        changed += 1
        if args.write:
            try:
                path.write_bytes(m.new.encode("utf-8"))
            except OSError as exc:
                print(f"vep-review: error: {m.path}: cannot write ({exc.strerror or exc})", file=sys.stderr)
                code = 2
                continue
            print(f"{m.path}: front matter added", file=report)
        else:
            out.write(unified_diff(m))
        for item in m.todo:
            print(f"{m.path}: to fill in: {item}", file=report)
    verb = "migrated" if args.write else "to migrate (--write to edit them)"
    print(f"{changed} VEP{'s' if changed != 1 else ''} {verb}; {len(found) - changed} left as they are.", file=report)
    return code
