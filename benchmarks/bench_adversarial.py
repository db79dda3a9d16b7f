"""Adversarial timing of every rule and of the document model: does any of them grow faster
than the input?

A regular expression with two quantified parts that can match the same characters
(``\\s*\\s*``, ``\\s*(?:x\\s*)?\\s*``, ``(\\w+\\s*)*``) backtracks on a line made of the
keyword that gets it there, a long run of those characters and one character that makes the
match fail: quadratic or cubic time in the run's length. This script builds such lines for
every keyword the rules look for (the words and phrases of every pattern in
``agent/rules/*.py`` and ``agent/document.py``, plus markdown and YAML markers) and runs of
1k, 4k and 16k characters of each character class, puts them where the rules read
(front matter values, the H1 title, Graduation Requirements list items, prose, a fenced
code block, a table, the metadata sections), and times the parse and each rule on each
document.

Reported per rule: the largest time at 16k over all documents and the largest growth ratio
``t(16k) / t(4k)`` of any document where the time is large enough to measure (a ratio near
4 for 4x the input is linear; 16 is quadratic). A case whose 4k time predicts more than
``--budget`` seconds at 16k is not run at 16k and reported as super-linear.

Usage: python benchmarks/bench_adversarial.py [--sizes 1000,4000,16000] [--budget 20]
       [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import gc
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent import document  # noqa: E402
from agent.engine import CheckOptions, build_context  # noqa: E402
from agent.rules import LazyPattern, all_rules  # noqa: E402

#: One character of each class the patterns distinguish.
CLASSES = {
    "space": " ", "tab": "\t", "nbsp": "\u00a0", "lower": "a", "upper": "Z", "digit": "7",
    "hyphen": "-", "dot": ".", "hash": "#", "star": "*", "backtick": "`", "colon": ":",
    "tilde": "~", "pipe": "|", "slash": "/", "underscore": "_", "at": "@", "paren": "(",
    "quote": '"', "letter-e-acute": "\u00e9",
}
#: Markers the rules look for that are not words.
MARKERS = ["VEP", "VEP #1:", "VEP-1", "#", "- ", "* ", "1. ", "**", "__", "`", "~~", "|", "[x] ", "(R) ",
           "v1.2", "1.2", "@", "#12", "NNNN", "https://github.com/kubevirt/kubevirt/issues/1",
           "featureGates:", "- FooGate", "<!--", "This VEP targets alpha for version", "Alpha:", "Beta: v",
           "GA ", "feature gate", "feature-gate", "featureGate", "FG", "gated", "behind the", "on by default"]

_WHITESPACE_RE = re.compile(r"\\s[*+?]?|\[\\s[^\]]*\][*+?]?|\[ \][*+?]?|\\ |\s+")
_PHRASE_RE = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*)*")


def patterns() -> list[str]:
    """The source text of every regular expression at module level of the rules and of
    the document model (also inside tuples, lists and dicts)."""
    import importlib

    modules = [document] + [importlib.import_module(r.check.__module__) for r in all_rules()]
    out: list[str] = []

    def visit(value, depth=0):
        if isinstance(value, re.Pattern):
            out.append(value.pattern)
        elif isinstance(value, LazyPattern):
            out.append(value._args[0])
        elif depth < 2 and isinstance(value, (tuple, list)):
            for v in value:
                visit(v, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for v in value.values():
                visit(v, depth + 1)

    for module in modules:
        for value in vars(module).values():
            visit(value)
    return out


def keywords() -> list[str]:
    """Words and phrases of the patterns (whitespace tokens read as one space), with the
    markers; deduplicated case-insensitively, longest phrases kept."""
    found: dict[str, str] = {}
    for source in patterns():
        text = _WHITESPACE_RE.sub(" ", re.sub(r"\\[bBAZ]|\(\?[:=!i]+:?|\[[^\]]*\]", " ", source))
        for phrase in _PHRASE_RE.findall(text):
            phrase = phrase.strip()
            if len(phrase) >= 2 and not re.fullmatch(r"[a-zA-Z]{1,2}[A-Z]?", phrase):  # not char classes
                found.setdefault(phrase.lower(), phrase)
    for marker in MARKERS:
        found.setdefault(marker.lower(), marker)
    return sorted(found.values(), key=str.lower)


FRONT_KEYS = ["title", "vep-number", "creation-date", "status", "owning-sig", "participating-sigs", "authors",
              "reviewers", "approvers", "feature-gate", "stage", "replaces", "superseded-by", "last-updated"]
VALUE_WORDS = ["v1.2", "1.2", "#12", "12", "@octocat", "implementable", "sig-compute", "alpha", "FooGate",
               "2024-01-01", "TBD", "https://github.com/kubevirt/enhancements/issues/12"]


def body_documents(run: str, words: list[str]) -> dict[str, str]:
    """Markdown documents (no front matter), two per keyword: the line keyword + ``run`` +
    a last character (``x``, then ``!``) in every place the rules read (the H1, a
    Graduation Requirements list item and line, prose, fenced code, a table, a heading, the
    metadata sections), in this order and then in reverse (a rule that stops at its first
    match sees each place first once)."""
    out = {}
    for word in words:
        for end, reverse in (("x", False), ("!", True)):
            line = f"{word}{run}{end}"
            places = [
                f"## Graduation Requirements\n\n### Alpha\n\n- {line}\n\n{line}\n",
                f"## Design\n\n{line}\n\n```yaml\n{line}\n```\n\n| a | b |\n| --- | --- |\n| {line} | x |\n",
                f"## {line}\n\nText.\n",
                f"## VEP Status Metadata\n\n- {line}\n\n## Target releases\n\n{line}\n",
            ]
            if reverse:
                places.reverse()
            out[f"{word!r}+run+{end!r}"] = f"# {line}\n\n## Overview\n\nText.\n\n" + "\n".join(places)
    return out


def front_documents(run: str) -> dict[str, str]:
    """Documents whose front matter values are a value word + ``run`` + a last character."""
    out = {}
    for word in VALUE_WORDS:
        value = f"{word}{run}x".replace("\\", "\\\\").replace('"', '\\"')
        fields = "\n".join(f'{key}: "{value}"' for key in FRONT_KEYS)
        milestone = f'milestone:\n  alpha: "{value}"\n  beta: "{value}"\n  ga: "{value}"\n'
        out[f"front matter {word}"] = f"---\n{fields}\n{milestone}---\n# VEP #{word}{run}x\n\n## Overview\n\nText.\n"
    return out


def time_case(text: str, rules, repo_path: str) -> dict[str, float]:
    """Seconds of the parse and of each rule (in engine order) on ``text``."""
    out = {}
    start = time.perf_counter()
    doc = document.parse(text.encode("utf-8"), "adversarial.md", repo_path)
    out["parse"] = time.perf_counter() - start
    ctx = build_context(CheckOptions(), None, base=doc, has_base=True)
    for rule in rules:
        start = time.perf_counter()
        try:
            list(rule.check(doc, ctx))
        except Exception as exc:  # noqa: BLE001 - a failure is a result here
            print(f"  {rule.id} raised {type(exc).__name__}: {str(exc)[:100]}", file=sys.stderr)
        out[rule.id] = time.perf_counter() - start
    return out


def retime(results, sizes, words, rules, repo_path, repeats: int = 5) -> None:
    """Time again, ``repeats`` times (the minimum is kept), every case whose growth from the
    second largest to the largest size looks super-linear (ratio above 6, at least 5 ms):
    on a shared machine a single run can be slowed down tenfold by another process."""
    if len(sizes) < 2:
        return
    mid, big = sizes[-2], sizes[-1]
    for name, cases in results.items():
        for case, by_size in cases.items():
            if big not in by_size or by_size[big] < 0.005 or by_size[big] / max(by_size.get(mid, 0), 1e-6) <= 6:
                continue
            cls, place = case.split("/", 1)
            for size in (mid, big):
                run = CLASSES[cls] * size
                text = {**body_documents(run, words), **front_documents(run)}[place]
                best = min(time_case(text, rules, repo_path)[name] for _ in range(repeats))
                by_size[size] = best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,16000")
    parser.add_argument("--budget", type=float, default=20.0, help="largest predicted seconds of one case")
    parser.add_argument("--classes", default=",".join(CLASSES))
    parser.add_argument("--write", help="rewrite the bench_adversarial table in this markdown file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rules = all_rules()
    words = keywords()
    repo_path = "veps/sig-compute/1-adversarial/vep.md"
    gc.disable()  # as `vep-review check` runs
    # results[name][case] = {size: seconds}
    results: dict[str, dict[str, dict[int, float]]] = {}
    slow: dict[str, set[str]] = {}
    total = time.perf_counter()
    for cls, char in ((c, CLASSES[c]) for c in args.classes.split(",")):
        skip: set[str] = set()  # cases predicted too slow at the next size
        history: dict[str, dict[int, float]] = {}
        for size in sizes:
            run = char * size
            docs = {**body_documents(run, words), **front_documents(run)}
            for place, text in docs.items():
                case = f"{cls}/{place}"
                if case in skip:
                    continue
                times = time_case(text, rules, repo_path)
                gc.collect()
                for name, seconds in times.items():
                    results.setdefault(name, {}).setdefault(case, {})[size] = seconds
                    history.setdefault(f"{case}|{name}", {})[size] = seconds
                # predict the next size from the growth so far (at least linear)
                worst = 0.0
                for name, seconds in times.items():
                    seen = history[f"{case}|{name}"]
                    prev = [s for s in sizes if s < size and s in seen]
                    factor = 4.0
                    if prev and seen[prev[-1]] > 0.002:
                        factor = max(4.0, (seconds / seen[prev[-1]]) ** 1.0)
                    worst = max(worst, seconds * factor)
                if worst > args.budget and size != sizes[-1]:
                    skip.add(case)
                    for name in times:
                        slow.setdefault(name, set()).add(case)
        print(f"{cls}: done ({time.perf_counter() - total:.0f} s)", file=sys.stderr)
    retime(results, sizes, words, rules, repo_path)
    rows = []
    for name in ["parse"] + [r.id for r in rules]:
        cases = results.get(name, {})
        big = sizes[-1]
        mid = sizes[-2] if len(sizes) > 1 else None
        worst_t, worst_case, worst_ratio, ratio_case = 0.0, "", 0.0, ""
        for case, by_size in cases.items():
            if big in by_size and by_size[big] > worst_t:
                worst_t, worst_case = by_size[big], case
            if mid and big in by_size and mid in by_size and by_size[big] > 0.01:
                ratio = by_size[big] / max(by_size[mid], 1e-6)
                if ratio > worst_ratio:
                    worst_ratio, ratio_case = ratio, case
        verdict = "super-linear" if name in slow or worst_ratio > 8 else "linear"
        rows.append((name, worst_t, worst_case, worst_ratio, ratio_case, verdict, sorted(slow.get(name, ()))))
    lines = [
        f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(words)} keywords x "
        f"{len(args.classes.split(','))} character classes x runs of {', '.join(f'{s:,}' for s in sizes)} characters, "
        f"{len(body_documents('', words)) + len(front_documents(''))} documents per class and size; "
        f"{time.perf_counter() - total:.0f} s in all.",
        "",
        f"| rule | slowest at {sizes[-1]:,} (s) | its document | largest ratio t({sizes[-1] // 1000}k)/t({sizes[-2] // 1000}k) "
        "| its document | verdict |",
        "| --- | ---: | --- | ---: | --- | --- |",
    ]
    for name, worst_t, worst_case, worst_ratio, ratio_case, verdict, slow_cases in rows:
        ratio = f"{worst_ratio:.1f}" if worst_ratio else "(all < 10 ms)"
        extra = f" ({', '.join(slow_cases[:3])})" if slow_cases else ""
        lines.append(f"| {name} | {worst_t:.3f} | {worst_case} | {ratio} | {ratio_case} | {verdict}{extra} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        path = Path(args.write)
        text = path.read_text()
        begin, end = "<!-- bench_adversarial: begin -->", "<!-- bench_adversarial: end -->"
        if begin in text:
            text = text[: text.index(begin)] + begin + "\n" + table + "\n" + text[text.index(end):]
        else:
            text += f"\n{begin}\n{table}\n{end}\n"
        path.write_text(text)
    return 1 if any(r[5] != "linear" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
