"""End to end: ``vep-review check --base REF`` and ``--base-file PATH`` with the status
transition (VEP301) and VEP Freeze (VEP302) rules, in a git repository made for the test."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from agent.cli import main
from agent.rules import all_rules
from tests.conftest import SIG_RELEASE, need

VEP = "veps/sig-compute/123-example/vep.md"
# the real v1.8 VEP Freeze is 2026/01/07
BEFORE, AFTER = "2026-01-06", "2026-01-08"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def vep(status: str, alpha: str = "v1.8") -> str:
    return textwrap.dedent(f"""\
        ---
        title: Example
        vep-number: 123
        status: {status}
        reviewers:
          - "@alice"
        approvers:
          - "@bob"
        stage: alpha
        milestone:
          alpha: "{alpha}"
        ---

        # VEP #123: Example

        ## Overview

        Text.
        """)


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A git repository with one committed VEP (provisional), and a configuration that leaves
    only VEP301 and VEP302 on, so that exit codes depend on them alone."""
    root = tmp_path / "enhancements"
    (root / VEP).parent.mkdir(parents=True)
    (root / VEP).write_text(vep("provisional"), encoding="utf-8")
    others = [r.id for r in all_rules() if r.id not in ("VEP301", "VEP302")]
    (root / ".vep-review.yaml").write_text(f"disable: [{', '.join(others)}]\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "VEP 123 provisional")
    return root


def run(capsys, *argv):
    """``vep-review check --format json`` -> (exit code, findings by rule, stderr)."""
    code = main(["check", "--format", "json", *map(str, argv)])
    captured = capsys.readouterr()
    data = json.loads(captured.out) if captured.out.strip() else {"findings": []}
    by_rule: dict[str, list[dict]] = {}
    for f in data["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    return code, by_rule, captured.err


def schedules():
    return str(need(SIG_RELEASE))


def test_implementable_before_the_freeze_passes(repo, capsys):
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", schedules(), "--today", BEFORE)
    assert (code, found) == (0, {})


def test_implementable_after_the_freeze_fails(repo, capsys):
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", schedules(), "--today", AFTER)
    assert code == 1
    assert list(found) == ["VEP302"]
    (f,) = found["VEP302"]
    assert f["severity"] == "error" and f["line"] == 4
    assert "v1.8" in f["message"] and "2026-01-07" in f["message"] and AFTER in f["message"]
    assert "freeze-exception" in f["fix"]


def test_today_accepts_the_slash_format_too(repo, capsys):
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", schedules(), "--today", "2026/01/08")
    assert code == 1 and list(found) == ["VEP302"]


def test_freeze_exception_label(repo, capsys):
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", schedules(), "--today", AFTER,
                         "--label", "lgtm", "--label", "freeze-exception")
    assert code == 0
    assert [f["severity"] for f in found["VEP302"]] == ["info"]


def test_without_a_base_the_freeze_is_not_checked(repo, capsys):
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--schedules", schedules(), "--today", AFTER)
    assert (code, found) == (0, {})


def test_release_without_a_vep_freeze_entry_gives_an_info(repo, capsys):
    (repo / VEP).write_text(vep("implementable", alpha="v1.12"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", schedules(), "--today", AFTER)
    assert code == 0
    assert [f["severity"] for f in found["VEP302"]] == ["info"]
    # no schedules given (none beside the repository either): skipped quietly
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--today", AFTER)
    assert (code, found) == (0, {})


def test_a_file_absent_in_the_base(repo, capsys):
    new = repo / "veps/sig-compute/124-other/vep.md"
    new.parent.mkdir(parents=True)
    new.write_text(vep("implementable").replace("123", "124"), encoding="utf-8")
    code, found, _ = run(capsys, new, "--base", "HEAD", "--schedules", schedules(), "--today", AFTER)
    assert code == 1
    (f,) = found["VEP302"]
    assert f["message"].startswith("Adding this VEP as `implementable`")
    assert "VEP301" not in found  # a new file may start in any status
    new.write_text(vep("implemented").replace("123", "124"), encoding="utf-8")
    code, found, _ = run(capsys, new, "--base", "HEAD", "--schedules", schedules(), "--today", AFTER)
    assert (code, found) == (0, {})


def test_deferred_to_implementable_fails(repo, capsys):
    (repo / VEP).write_text(vep("deferred"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "defer")
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", schedules(), "--today", BEFORE)
    assert code == 1
    assert list(found) == ["VEP301"]
    (f,) = found["VEP301"]
    assert f["line"] == 4 and "`deferred`" in f["message"] and "`implementable`" in f["message"]


def test_an_older_revision_as_base(repo, capsys):
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "implementable")
    (repo / VEP).write_text(vep("implemented"), encoding="utf-8")
    # against HEAD: implementable -> implemented is fine
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD", "--today", AFTER)
    assert (code, found) == (0, {})
    # against HEAD~1: provisional -> implemented skips implementable
    code, found, _ = run(capsys, repo / VEP, "--base", "HEAD~1", "--today", AFTER)
    assert code == 1 and "skips `implementable`" in found["VEP301"][0]["message"]


def test_an_unknown_ref_is_a_usage_error(repo, capsys):
    code, found, err = run(capsys, repo / VEP, "--base", "no-such-branch")
    assert code == 2 and found == {}
    assert err.strip().splitlines() == ["vep-review: error: --base no-such-branch: unknown git revision"]


def test_base_outside_a_git_checkout_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "plain" / VEP
    path.parent.mkdir(parents=True)
    path.write_text(vep("provisional"), encoding="utf-8")
    code, _, err = run(capsys, path, "--base", "HEAD")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "git checkout" in err


def test_a_missing_schedules_directory_is_a_usage_error(repo, capsys):
    code, _, err = run(capsys, repo / VEP, "--base", "HEAD", "--schedules", repo / "no-sig-release")
    assert code == 2 and "no such schedules directory" in err


# --- --base-file ----------------------------------------------------------------------------


def test_base_file(repo, tmp_path, capsys):
    base = tmp_path / "base.md"
    base.write_text(vep("implementable"), encoding="utf-8")
    (repo / VEP).write_text(vep("provisional"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base-file", base)
    assert code == 1 and "does not move back" in found["VEP301"][0]["message"]
    (repo / VEP).write_text(vep("implemented"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base-file", base)
    assert (code, found) == (0, {})


def test_base_file_and_the_freeze(repo, tmp_path, capsys):
    base = tmp_path / "base.md"
    base.write_text(vep("implementable", alpha="v1.9"), encoding="utf-8")
    (repo / VEP).write_text(vep("implementable", alpha="v1.8"), encoding="utf-8")
    code, found, _ = run(capsys, repo / VEP, "--base-file", base, "--schedules", schedules(), "--today", AFTER)
    assert code == 1
    (f,) = found["VEP302"]
    assert f["line"] == 11 and "Retargeting milestone.alpha" in f["message"]


def test_base_file_needs_one_checked_file(repo, tmp_path, capsys):
    base = tmp_path / "base.md"
    base.write_text(vep("provisional"), encoding="utf-8")
    code, _, err = run(capsys, repo / VEP, repo / VEP, "--base-file", base)
    assert code == 2 and "--base-file needs exactly one checked file" in err


def test_base_file_that_does_not_exist(repo, tmp_path, capsys):
    code, _, _ = run(capsys, repo / VEP, "--base-file", tmp_path / "absent.md")
    assert code == 2


def test_console_script_text_output(repo):
    """The installed entry point, as CI runs it (``python -m agent``)."""
    (repo / VEP).write_text(vep("implementable"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "agent", "check", VEP, "--base", "HEAD", "--schedules", schedules(),
                           "--today", AFTER, "--color", "never"], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "VEP302 vep-freeze" in proc.stdout and "2026-01-07" in proc.stdout


def test_stdin_with_base_needs_as_path(tmp_path, monkeypatch, capsys):
    import io
    import sys as _sys

    from agent.cli import main as cli_main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_sys, "stdin", io.TextIOWrapper(io.BytesIO(b"# VEP #1: x\n")))
    assert cli_main(["check", "--base", "HEAD", "-"]) == 2
    assert "--as-path" in capsys.readouterr().err
