"""Bad input never gives a traceback and never hides the findings already made: each case
gets a finding or a one-line error, and a defined exit code (0 clean, 1 error finding,
2 unreadable input or usage)."""

import json
import subprocess
import sys


from agent.cli import main

VEP_DIR = "veps/sig-compute/123-example"
GOOD_BODY = "# VEP #123: Example\n\n## Overview\n\nText.\n"


def write(tmp_path, content: bytes, rel=f"{VEP_DIR}/vep.md"):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def run_json(capsys, *args):
    code = main(["check", "--format", "json", *map(str, args)])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def rules(data):
    return {f["rule"] for f in data["findings"]}


def test_empty_file(tmp_path, capsys):
    code, data, _ = run_json(capsys, write(tmp_path, b""))
    assert code == 1 and rules(data) == {"VEP002"}


def test_binary_file(tmp_path, capsys):
    code, data, _ = run_json(capsys, write(tmp_path, b"\x00\x01\x02PNG" * 100))
    assert code == 1 and rules(data) == {"VEP001"}


def test_invalid_utf8_keeps_other_findings(tmp_path, capsys):
    code, data, _ = run_json(capsys, write(tmp_path, GOOD_BODY.encode() + b"\xff\xfe broken\n"))
    assert code == 1
    assert "VEP001" in rules(data)
    assert len(rules(data)) > 1  # the rest of the review still ran


def test_bom_and_crlf_are_read_through(tmp_path, capsys):
    fm = '---\ntitle: Example\nvep-number: 123\n---\n'
    code, data, _ = run_json(capsys, write(tmp_path, b"\xef\xbb\xbf" + (fm + GOOD_BODY).replace("\n", "\r\n").encode()))
    infos = [f for f in data["findings"] if f["rule"] == "VEP001"]
    assert {f["severity"] for f in infos} == {"info"}
    assert "VEP201" not in rules(data)  # the front matter was found behind the BOM
    assert "VEP104" not in rules(data)


def test_unterminated_front_matter(tmp_path, capsys):
    code, data, _ = run_json(capsys, write(tmp_path, b"---\ntitle: x\nstatus: provisional\n\n" + GOOD_BODY.encode()))
    assert code == 1
    syntax = [f for f in data["findings"] if f["rule"] == "VEP203"]
    assert syntax and "not terminated" in syntax[0]["message"] and syntax[0]["line"] == 1


def test_yaml_syntax_error_has_line(tmp_path, capsys):
    text = "---\ntitle: x\nauthors: [\"@a\"\nstatus: provisional\n---\n" + GOOD_BODY
    code, data, _ = run_json(capsys, write(tmp_path, text.encode()))
    (f,) = [f for f in data["findings"] if f["rule"] == "VEP203"]
    assert code == 1 and f["line"] in (3, 4, 5)
    assert "VEP101" not in rules(data) and len(data["findings"]) > 1  # other rules still ran


def test_yaml_alias_bomb(tmp_path, capsys):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = "---\n" + "\n".join(lines) + "\n---\n" + GOOD_BODY
    code, data, _ = run_json(capsys, write(tmp_path, text.encode()))
    assert code == 1
    assert any(f["rule"] == "VEP203" and "alias" in f["message"] for f in data["findings"])


def test_duplicate_keys(tmp_path, capsys):
    text = "---\ntitle: x\nstatus: provisional\nstatus: implementable\n---\n" + GOOD_BODY
    code, data, _ = run_json(capsys, write(tmp_path, text.encode()))
    dup = [f for f in data["findings"] if f["rule"] == "VEP211"]
    assert code == 1 and dup and dup[0]["line"] == 4


def test_huge_document(tmp_path, capsys):
    chunk = "## Design\n\n" + "A sentence about the design of this feature. " * 40 + "\n\n"
    body = GOOD_BODY + chunk * (20_000_000 // len(chunk) + 1)
    path = write(tmp_path, body.encode())
    assert path.stat().st_size >= 20_000_000
    code, data, _ = run_json(capsys, path)
    assert code in (0, 1) and data["summary"]["files"] == 1


def test_directory_without_veps(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("nothing here")
    code = main(["check", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2 and "no VEP documents found" in out + err


def test_missing_path(tmp_path, capsys):
    code = main(["check", str(tmp_path / "nope.md")])
    out, err = capsys.readouterr()
    assert code == 2 and "no such file" in out + err


def test_unreadable_input_does_not_hide_other_findings(tmp_path, capsys):
    good = write(tmp_path, GOOD_BODY.encode())
    dangling = tmp_path / "veps/sig-compute/124-other/vep.md"
    dangling.parent.mkdir(parents=True)
    dangling.symlink_to(tmp_path / "gone.md")
    code, data, err = run_json(capsys, good, dangling)
    assert code == 2 and "no such file" in err
    assert data["findings"] and all(f["path"] == good.relative_to(tmp_path).as_posix() for f in data["findings"])


def test_no_traceback_from_a_real_process(tmp_path):
    path = write(tmp_path, b"---\n: : :\n  - [\n---\n\x00")
    proc = subprocess.run([sys.executable, "-m", "agent", "check", str(path)], capture_output=True, text=True)
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr + proc.stdout
