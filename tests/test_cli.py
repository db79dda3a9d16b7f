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


@pytest.mark.parametrize("setting,said", [
    ("max_findings: lots", "llm max_findings must be a whole number"),
    ("max_findings: -1", "llm max_findings must be a whole number"),
    ("max_findings: .nan", "llm max_findings must be a whole number"),
    ("max_findings_per_reviewer: 2.5", "llm max_findings_per_reviewer must be a whole number"),
    ("min_confidence: high", "llm min_confidence must be a number (0 <= min_confidence <= 1)"),
    ("min_confidence: 2", "llm min_confidence must be a number"),
    ("timeout: .nan", "llm timeout must be a number of seconds"),
    ("reviewers: [design_gaps, nope]", "unknown llm reviewer 'nope'"),
    ("effort: huge", "llm effort must be one of low, medium, high, max"),
    ("output_mode: xml", "llm output_mode must be json or tool"),
    ("model: 5", "llm model must be a model ID"),
])
def test_bad_llm_settings_are_one_line_errors_not_tracebacks(tmp_path, capsys, setting, said):
    path = write(tmp_path)
    (tmp_path / ".vep-review.yaml").write_text(f"llm:\n  {setting}\n")
    assert main(["review", "--no-llm", str(path)]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_llm_settings_are_read_as_their_types():
    from agent.config import _llm_settings

    got = _llm_settings({"max_findings": "3", "min_confidence": 0.7, "timeout": 30,
                         "reviewers": "LLM101, cross-sig-impact, feature_gate"}, "x.yaml")
    assert got == {"max_findings": 3, "min_confidence": 0.7, "timeout": 30.0,
                   "reviewers": ["design_gaps", "cross_sig", "feature_gate"]}


@pytest.mark.parametrize("option", [["--max-findings", "-1"], ["--llm-timeout", "0"], ["--llm-timeout", "soon"]])
def test_bad_llm_options_are_usage_errors(option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["review", *option, "x"])
    assert exc.value.code == 2 and option[0] in capsys.readouterr().err


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


# -- ruff's conventions -----------------------------------------------------------------------

def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def findings_of(capsys, *argv):
    code, out, _ = run(capsys, "check", "--output-format", "json", *argv)
    return code, json.loads(out)["findings"]


def test_concise_prints_exactly_one_line_per_finding(corpus, capsys):
    import re

    _, findings = findings_of(capsys, str(corpus))
    code, out, _ = run(capsys, "check", "--output-format", "concise", str(corpus))
    lines = out.splitlines()
    assert len(lines) == len(findings) + 1 and lines[-1].startswith("Found ")
    pattern = re.compile(r"^(\S[^:]*):(\d+):1: (VEP\d{3}) (.+)$")
    parsed = [pattern.match(line) for line in lines[:-1]]
    assert all(parsed)
    assert [(m[1], int(m[2]), m[3]) for m in parsed] == [(f["path"], f["line"] or 1, f["rule"]) for f in findings]
    assert run(capsys, "check", "--output-format", "concise", "--quiet", str(corpus))[1].splitlines() == lines[:-1]


def test_format_is_an_alias_of_output_format_and_text_of_full(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    outs = [run(capsys, "check", *opts, "--color", "never", str(path))[1]
            for opts in ([], ["--format", "text"], ["--output-format", "full"], ["--format", "full"])]
    assert len(set(outs)) == 1 and "fix: Rename" in outs[0]


def test_statistics_counts_each_rule(corpus, capsys):
    from collections import Counter

    _, findings = findings_of(capsys, str(corpus))
    expected = Counter(f["rule"] for f in findings)
    code, out, _ = run(capsys, "check", "--statistics", "--output-format", "json", str(corpus))
    rows = json.loads(out)
    per_rule = Counter()
    for r in rows:  # one row per rule and severity (a rule may report both)
        per_rule[r["code"]] += r["count"]
    assert per_rule == expected
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    code_text, text, _ = run(capsys, "check", "--statistics", str(corpus))
    assert code_text == code and len(text.splitlines()) == len(rows)
    top = rows[0]
    assert text.splitlines()[0].split() == [str(top["count"]), top["code"], top["name"], top["severity"]]
    assert run(capsys, "check", "--statistics", "--output-format", "sarif", str(corpus))[0] == 2


def test_exit_zero_and_strict(tmp_path, capsys):
    error = write(tmp_path, BAD_DIR)
    assert main(["check", str(error)]) == 1
    assert main(["check", "--exit-zero", str(error)]) == 0
    capsys.readouterr()
    warnings_only = write(tmp_path, "veps/sig-compute/124-ok/vep.md", BODY.replace("123", "124"))
    code, findings = findings_of(capsys, str(warnings_only))
    assert code == 0 and findings and {f["severity"] for f in findings} == {"warning"}
    assert main(["check", "--strict", str(warnings_only)]) == 1
    assert main(["check", "--strict", "--exit-zero", str(warnings_only)]) == 0
    missing = str(tmp_path / "missing.md")
    assert main(["check", "--exit-zero", missing]) == 2  # an unreadable input is not a finding
    capsys.readouterr()


def test_select_and_ignore_take_ids_names_and_prefixes(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    _, everything = findings_of(capsys, str(path))
    rules = {f["rule"] for f in everything}
    assert {"VEP101", "VEP401"} <= rules
    _, only = findings_of(capsys, "--select", "VEP4", str(path))
    assert only and {f["rule"] for f in only} == {r for r in rules if r.startswith("VEP4")}
    _, by_name = findings_of(capsys, "--select", "directory-name,vep401", str(path))
    assert {f["rule"] for f in by_name} == {"VEP101", "VEP401"}
    _, ignored = findings_of(capsys, "--ignore", "VEP4", "--ignore", "directory-name", str(path))
    assert {f["rule"] for f in ignored} == {r for r in rules if not r.startswith("VEP4") and r != "VEP101"}
    code, _ = findings_of(capsys, "--select", "VEP4", str(path))  # VEP101's error is not selected
    assert code == 0 and main(["check", str(path)]) == 1
    capsys.readouterr()
    code, out, err = run(capsys, "check", "--select", "VEP9", str(path))
    assert code == 2 and "unknown rule selector 'VEP9'" in err and len(err.strip().splitlines()) == 1


def test_quiet_prints_the_findings_only(tmp_path, capsys):
    path = write(tmp_path, BAD_DIR)
    _, loud, _ = run(capsys, "check", "--color", "never", str(path))
    _, quiet, _ = run(capsys, "check", "--color", "never", "-q", str(path))
    assert quiet and "Found " not in quiet and loud.startswith(quiet.rstrip("\n"))
    clean = write(tmp_path, "veps/sig-compute/125-clean/vep.md", BODY.replace("123", "125"))
    assert run(capsys, "check", "-q", "--select", "VEP1", str(clean))[1] == ""


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_no_color_and_force_color(tmp_path, capsys, monkeypatch, fmt):
    path = write(tmp_path, BAD_DIR)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run(capsys, "check", "--output-format", fmt, str(path))[1]
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert "\x1b[" not in run(capsys, "check", "--output-format", fmt, str(path))[1]
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(capsys, "check", "--output-format", fmt, str(path))[1]  # not a terminal either
    assert "\x1b[" in run(capsys, "check", "--output-format", fmt, "--color", "always", str(path))[1]


def test_a_subcommands_usage_error_shows_its_usage(capsys):
    for argv in (["check", "--no-such-option"], ["check", "--output-format", "nope"], ["review", "--bogus"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2
        assert err.startswith(f"usage: vep-review {argv[0]} ") and f"vep-review {argv[0]}: error:" in err


def test_check_without_a_path_checks_the_repository_around_the_working_directory(tmp_path, capsys, monkeypatch):
    write(tmp_path, BAD_DIR)
    write(tmp_path, "veps/sig-network/7-seven/vep.md", BODY.replace("123", "7"))
    expected = findings_of(capsys, str(tmp_path))
    for cwd in (tmp_path, tmp_path / "veps", tmp_path / "veps/sig-network/7-seven"):
        monkeypatch.chdir(cwd)
        assert findings_of(capsys) == expected
    assert {f["path"] for f in expected[1]} == {BAD_DIR, "veps/sig-network/7-seven/vep.md"}


@pytest.mark.parametrize("fmt", ["json", "full", "concise", "github", "sarif"])
def test_same_repository_path_from_anywhere(tmp_path, capsys, monkeypatch, fmt):
    import io
    import subprocess as sp

    repo = tmp_path / "enhancements"
    path = write(repo, BAD_DIR)
    sp.run(["git", "init", "-q", str(repo)], check=True)  # the root of the repository: git's top
    runs = []
    for cwd, arg in ((repo, BAD_DIR), (repo / "veps/sig-compute", "Bad_Name/vep.md"), (tmp_path, str(path)),
                     (tmp_path / "elsewhere", str(path)), (repo / "veps", str(path))):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        runs.append(run(capsys, "check", "--output-format", fmt, "--color", "never", arg)[1])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    runs.append(run(capsys, "check", "--output-format", fmt, "--color", "never", "--as-path", BAD_DIR, "-")[1])
    assert len(set(runs)) == 1, runs
    assert BAD_DIR in runs[0] and str(tmp_path) not in runs[0] and "<stdin>" not in runs[0]


def test_markdown_names_the_repository_path(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, BAD_DIR)
    monkeypatch.chdir(path.parent)
    code, out, _ = run(capsys, "review", "--no-llm", "--output-format", "markdown", "vep.md")
    assert f"`{BAD_DIR}`" in out and "vep.md`" in out and str(tmp_path) not in out


def test_a_file_checked_as_another_path_is_reported_there(tmp_path, capsys):
    elsewhere = write(tmp_path, "drafts/my-vep.md")
    _, findings = findings_of(capsys, "--as-path", BAD_DIR, str(elsewhere))
    assert findings and {f["path"] for f in findings} == {BAD_DIR} and "VEP101" in {f["rule"] for f in findings}


def test_rules_are_shown_without_restructuredtext_backticks(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "``" not in listing
    for rule in all_rules():
        assert main(["rules", rule.id]) == 0
        assert "``" not in capsys.readouterr().out, rule.id


def test_a_command_needing_a_missing_extra_says_which(tmp_path, capsys, monkeypatch):
    from agent import extras

    path = write(tmp_path)
    real = extras.find_spec
    monkeypatch.setattr(extras, "find_spec", lambda name: None if name == "langgraph" else real(name))
    code, out, err = run(capsys, "review", str(path))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == ["vep-review: error: vep-review review needs the 'llm' extra (module "
                                        "'langgraph' is not installed): pip install 'vep-review[llm]'"]
    assert main(["review", "--no-llm", str(path)]) in (0, 1)  # the deterministic part needs no extra
    capsys.readouterr()


def test_an_import_error_of_an_extra_is_one_line(capsys, monkeypatch):
    from agent import cli

    def broken(argv):
        raise ModuleNotFoundError("No module named 'github'", name="github")

    monkeypatch.setitem(cli.COMMANDS, "github", cli.COMMANDS["github"]._replace(run="tests.test_cli:_broken_github"))
    monkeypatch.setattr(sys.modules[__name__], "_broken_github", broken, raising=False)
    code, _, err = run(capsys, "github", "--event-name", "issue_comment")
    assert code == 2 and "pip install 'vep-review[github]'" in err and len(err.strip().splitlines()) == 1
