"""`vep-review check` and `vep-review rules`: formats, exit codes, configuration,
inline suppression, standard input."""

import json
import subprocess
import sys

import pytest

from agent.cli import main
from agent.rules import all_rules
from tests.conftest import need

REL = "veps/sig-compute/123-example/vep.md"
BAD_DIR = "veps/sig-compute/Bad_Name/vep.md"
BODY = "# VEP #123: Example\n\n## Overview\n\nText.\n"


def write(root, rel=REL, text=BODY):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_json_contract(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    code = main(["check", "--format", "json", str(path)])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["version"] == 1
    assert set(data) >= {"version", "findings", "files", "summary"}
    f = next(f for f in data["findings"] if f["rule"] == "VEP101")
    assert set(f) >= {"rule", "name", "severity", "path", "line", "section", "message", "fix", "source"}
    assert f["name"] == "directory-name" and f["severity"] == "error" and f["path"] == BAD_DIR  # repository-relative
    assert data["files"][0]["path"] == BAD_DIR
    assert data["summary"]["files"] == 1 and data["summary"]["error"] >= 1


def test_text_groups_by_file_and_shows_fix(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    assert main(["check", "--color", "never", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == BAD_DIR
    assert "VEP101 directory-name" in out and "fix: Rename" in out
    assert out.rstrip().splitlines()[-1].startswith("Found ")


def test_color_output_uses_rich(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    main(["check", "--color", "always", str(path)])
    assert "\x1b[" in capsys.readouterr().out


def test_github_annotations(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    main(["check", "--format", "github", str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"::error file={BAD_DIR},") and "title=VEP101 directory-name::" in line for line in lines)


def test_sarif(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    main(["check", "--format", "sarif", str(path)])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {r.id for r in all_rules()}
    result = next(r for r in run["results"] if r["ruleId"] == "VEP101")
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == BAD_DIR


def test_exit_codes_follow_the_worst_severity(tmp_path, capsys):
    others = [r.id for r in all_rules() if r.id not in ("VEP101", "VEP105")]
    cfg = tmp_path / "only.yaml"
    cfg.write_text(json.dumps({"disable": others}))
    warn_only = write(tmp_path, text=BODY.replace("# VEP #123: Example", "# Example"))
    assert main(["check", "--config", str(cfg), str(warn_only)]) == 0
    assert "VEP105" in capsys.readouterr().out
    error = write(tmp_path, BAD_DIR)
    assert main(["check", "--config", str(cfg), str(error)]) == 1
    clean = write(tmp_path, "veps/sig-compute/125-clean/vep.md", BODY.replace("123", "125"))
    assert main(["check", "--config", str(cfg), str(clean)]) == 0
    assert "No problems found in 1 file." in capsys.readouterr().out


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "nope", "x"])
    assert exc.value.code == 2


def test_config_disables_and_regrades(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR, BODY.replace("# VEP #123: Example", "# Example"))  # no number: VEP105
    (tmp_path / ".vep-review.yaml").write_text("disable: [directory-name]\nseverity: {title-format: error}\n")
    main(["check", "--format", "json", str(path)])
    data = json.loads(capsys.readouterr().out)
    assert "VEP101" not in {f["rule"] for f in data["findings"]}
    assert {f["severity"] for f in data["findings"] if f["rule"] == "VEP105"} == {"error"}  # a warning by default


def test_pyproject_config(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    (tmp_path / "pyproject.toml").write_text('[tool.vep-review]\nseverity = { VEP101 = "info" }\n')
    main(["check", "--format", "json", str(path)])
    data = json.loads(capsys.readouterr().out)
    assert {f["severity"] for f in data["findings"] if f["rule"] == "VEP101"} == {"info"}


def test_bad_config_is_a_one_line_error(tmp_path, capsys):
    path = write(tmp_path)
    (tmp_path / ".vep-review.yaml").write_text("disable: [no-such-rule]\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown rule 'no-such-rule'" in err and len(err.strip().splitlines()) == 1


def test_inline_suppression(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR, BODY + "\n<!-- vep-review: disable=VEP101 -->\n")
    main(["check", "--format", "json", str(path)])
    assert "VEP101" not in {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_stdin_with_as_path(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BODY.encode())))
    code = main(["check", "--format", "json", "--as-path", BAD_DIR, "-"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["findings"][0]["path"] == BAD_DIR  # reported under --as-path
    assert "VEP101" in {f["rule"] for f in data["findings"]}


def test_rules_lists_every_rule_with_its_doc(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule in all_rules():
        assert rule.id in out and rule.name in out
    assert main(["rules", "directory-name"]) == 0
    doc = capsys.readouterr().out
    assert "Anti-pattern" in doc and "Best practice" in doc and "Source:" in doc


def test_every_rule_is_documented():
    for rule in all_rules():
        assert rule.doc.strip() and "Anti-pattern" in rule.doc and "Best practice" in rule.doc, rule.id
        assert rule.severity in ("error", "warning", "info") and rule.source and rule.fix, rule.id
        assert rule.name == rule.name.lower() and " " not in rule.name, rule.id


def test_whole_corpus_runs_without_internal_errors(corpus, capsys):
    code = main(["check", "--format", "json", str(corpus)])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert data["summary"]["files"] >= 60
    assert not [f for f in data["findings"] if f["rule"] == "VEP000"]


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "agent", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("vep-review ")


def test_console_script_check_flushes_output_and_keeps_the_exit_code(corpus):
    # `check` ends with os._exit (agent.cli.run): the output must still be complete, in
    # every format, and the exit code the one main() returned
    corpus_dir = str(corpus)
    proc = subprocess.run([sys.executable, "-m", "agent", "check", "--format", "json", corpus_dir],
                          capture_output=True, text=True)
    data = json.loads(proc.stdout)
    assert proc.returncode == (1 if data["summary"]["error"] else 0) and data["summary"]["files"] >= 60
    text = subprocess.run([sys.executable, "-m", "agent", "check", corpus_dir], capture_output=True, text=True)
    assert text.returncode == proc.returncode and text.stdout.rstrip().splitlines()[-1].startswith("Found ")
    missing = subprocess.run([sys.executable, "-m", "agent", "check", corpus_dir + "/no-such-file.md"],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "no such file" in missing.stderr + missing.stdout


def test_console_script_check_into_a_closed_pipe_is_quiet(corpus):
    # a reader that stops early (`vep-review check … | head -1`) gets no traceback
    proc = subprocess.run(f"'{sys.executable}' -m agent check '{corpus}' | head -1", shell=True,
                          capture_output=True, text=True)
    assert len(proc.stdout.splitlines()) == 1 and "Traceback" not in proc.stderr and "Broken" not in proc.stderr


def test_named_supplementary_file_is_skipped_not_checked(corpus, capsys):
    appendix = need(corpus / "veps/sig-network/21-passt/passt-beta.md")
    assert main(["check", "--format", "json", str(appendix)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["findings"] == [] and "supplementary" in data["skipped"][0]


def test_front_end_subcommands_take_their_own_options(corpus, tmp_path, capsys):
    assert main(["eval", "--only", "clean", "--out", str(tmp_path)]) == 0
    assert "clean" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["github", "--help"])
    assert exc.value.code == 0 and "--dry-run" in capsys.readouterr().out


def test_help_is_wrapped_at_the_terminal_width(monkeypatch, capsys):
    from agent import cli

    heights = {}
    for columns in (52, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        cli._columns.cache_clear()
        with pytest.raises(SystemExit):
            main(["check", "--help"])
        lines = capsys.readouterr().out.splitlines()
        heights[columns] = len(lines)
    cli._columns.cache_clear()
    assert heights[52] > heights[120]
