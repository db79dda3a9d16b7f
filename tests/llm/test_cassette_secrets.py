"""No cassette under tests/ or evals/ may store an API key. A cassette is any YAML or JSON file in
a ``cassettes`` folder, or anywhere under tests/ or evals/ when it holds vcrpy ``interactions``;
each is scanned for ``authorization`` / ``x-api-key`` headers with a value, and for anything
shaped like an Anthropic key or a bearer token."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET_HEADERS = {"authorization", "x-api-key", "proxy-authorization", "anthropic-api-key"}
SECRET_TEXT = re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9_\-.]{12,}")


def cassette_files(root: Path = ROOT) -> list[Path]:
    out = []
    for base in (root / "tests", root / "evals"):
        if base.is_dir():
            for p in base.rglob("*"):
                if not p.is_file() or p.suffix not in (".yaml", ".yml", ".json"):
                    continue
                if "cassettes" in p.relative_to(root).parts or "interactions" in p.read_text(errors="replace"):
                    out.append(p)
    return sorted(out)


def _headers_with_values(node):
    """Yield (name, value) of every header mapping inside a loaded cassette."""
    if isinstance(node, dict):
        headers = node.get("headers")
        if isinstance(headers, dict):
            for name, value in headers.items():
                yield str(name), value
        for v in node.values():
            yield from _headers_with_values(v)
    elif isinstance(node, list):
        for v in node:
            yield from _headers_with_values(v)


def leaks(path: Path) -> list[str]:
    """The secrets stored in one cassette file (empty when clean)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    found = [f"{path}: text matching {m.group(0)[:12]}…" for m in SECRET_TEXT.finditer(text)]
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return found
    for name, value in _headers_with_values(data):
        if name.lower() in SECRET_HEADERS and value not in (None, "", [], ["REDACTED"], "REDACTED"):
            found.append(f"{path}: header {name} has a value")
    return found


def test_no_cassette_stores_a_key():
    problems = [leak for p in cassette_files() for leak in leaks(p)]
    assert problems == []


def test_the_scanner_finds_planted_keys(tmp_path):
    cassettes = tmp_path / "tests" / "cassettes"
    cassettes.mkdir(parents=True)
    (cassettes / "a.yaml").write_text(yaml.safe_dump({"interactions": [{"request": {"headers": {
        "Authorization": ["Bearer abcdefghijklmnop"]}}}]}))
    (cassettes / "b.json").write_text(json.dumps({"interactions": [{"request": {"headers": {"x-api-key": "k"}}}]}))
    (cassettes / "c.yaml").write_text("note: " + "sk-ant-" + "api03-abcdefghijkl\n")  # split: no key-shaped literal in the tree
    (cassettes / "clean.yaml").write_text(yaml.safe_dump({"interactions": [{"request": {"headers": {"x-vep-review-reviewer": ["a"]}}}]}))
    elsewhere = tmp_path / "evals" / "runs"
    elsewhere.mkdir(parents=True)
    (elsewhere / "d.json").write_text(json.dumps({"interactions": [{"request": {"headers": {"X-Api-Key": ["k"]}}}]}))
    (elsewhere / "not-a-cassette.json").write_text(json.dumps({"token": "Bearer abcdefghijklmnop"}))
    files = cassette_files(tmp_path)
    assert [p.name for p in files] == ["d.json", "a.yaml", "b.json", "c.yaml", "clean.yaml"]
    flagged = {p.name for p in files if leaks(p)}
    assert flagged == {"a.yaml", "b.json", "c.yaml", "d.json"}


def test_there_are_cassettes_to_scan():
    assert any("synthetic" in p.parts for p in cassette_files())
