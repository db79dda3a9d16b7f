"""``vep-review new``: a VEP from the checkout's template (or the bundled one), then ``check``."""

from __future__ import annotations

import shutil

import pytest

from agent.cli import main
from agent.commands.new import slug
from agent.document import read
from agent.engine import CheckOptions, check_paths
from tests.conftest import CORPUS, need

TODAY = "2026-12-05"


@pytest.fixture
def checkout(tmp_path):
    """A copy of the corpus checkout (its template, SIG directories and VEPs)."""
    root = tmp_path / "enhancements"
    shutil.copytree(need(CORPUS), root)
    return root


def _new(root, *extra):
    return main(["new", "--repo", str(root), "--sig", "sig-network", "--number", "999",
                 "--title", "Live migration: the next step", "--today", TODAY, *extra])


def _rules(path) -> set[str]:
    report = check_paths([str(path)], CheckOptions(today=None))
    assert not report.errors and all(fr.error is None for fr in report.files)
    return {f.rule for f in report.findings}


def test_new_then_check_reports_only_the_templates_empty_sections(checkout, capsys):
    assert _new(checkout, "--author", "@jdoe", "--feature-gate", "NextStepMigration") == 0
    path = checkout / "veps/sig-network/999-live-migration-the-next-step/vep.md"
    assert f"{path}: created" in capsys.readouterr().out
    fm = read(str(path)).front_matter
    assert fm.error is None and fm.implicit_types == []
    assert fm.data["status"] == "provisional" and fm.data["creation-date"] == TODAY
    assert fm.data["reviewers"] == ["TBD"] and fm.data["approvers"] == ["TBD"]
    assert fm.data["title"] == "Live migration: the next step" and fm.data["vep-number"] == "999"
    assert (fm.data["owning-sig"], fm.data["authors"]) == ("sig-network", ["@jdoe"])
    text = path.read_text()
    assert "# VEP #999: Live migration: the next step" in text and "## VEP Status Metadata" not in text
    report = check_paths([str(path)])
    empty = [f for f in report.findings if f.rule == "VEP402"]
    assert _rules(path) == {"VEP402"} and len(empty) >= 10  # every template section, and nothing else


def test_without_a_feature_gate_the_gate_is_also_asked_for(checkout, capsys):
    assert _new(checkout, "--author", "jdoe") == 0
    path = checkout / "veps/sig-network/999-live-migration-the-next-step/vep.md"
    assert "to fill in: feature-gate" in capsys.readouterr().out
    assert _rules(path) == {"VEP402", "VEP501"}


def test_new_refuses_an_existing_directory(checkout, capsys):
    target = checkout / "veps/sig-network/999-live-migration-the-next-step"
    target.mkdir(parents=True)
    (target / "vep.md").write_text("mine\n")
    assert _new(checkout) == 2
    assert "already exists; not overwritten" in capsys.readouterr().err
    assert (target / "vep.md").read_text() == "mine\n"


def test_new_refuses_a_number_in_use(checkout, capsys):
    assert main(["new", "--repo", str(checkout), "--sig", "sig-compute", "--number", "307", "--title", "Other"]) == 2
    assert "VEP 307 already exists" in capsys.readouterr().err
    assert not (checkout / "veps/sig-compute/307-other").exists()


def test_bundled_template_without_a_checkout_template(tmp_path):
    (tmp_path / "veps" / "sig-storage").mkdir(parents=True)
    assert main(["new", "--repo", str(tmp_path), "--sig", "sig-storage", "--number", "5", "--title", "Thing",
                 "--author", "@jdoe", "--feature-gate", "Thing"]) == 0
    path = tmp_path / "veps/sig-storage/5-thing/vep.md"
    assert "## Graduation Requirements" in path.read_text()
    assert _rules(path) == {"VEP402"}


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    assert main(["new", "--repo", str(tmp_path), "--sig", "compute", "--number", "5", "--title", "T"]) == 2
    assert "sig-<name>" in capsys.readouterr().err
    assert main(["new", "--repo", str(tmp_path), "--sig", "sig-compute", "--number", "5", "--title", "T"]) == 2
    assert "no veps/ directory" in capsys.readouterr().err


def test_slug():
    assert slug("Live migration: the next step!") == "live-migration-the-next-step"
    assert slug("Ünïcode ±") == "n-code"
    assert len(slug("word " * 40)) <= 48


def test_help_documents_the_three_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("migrate", "status", "new"):
        assert f"    {name} " in out
    for argv in (["migrate", "--help"], ["status", "--help"], ["new", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "usage: vep-review " + argv[0] in capsys.readouterr().out


@pytest.mark.parametrize("config, author", [
    ({"user.email": "123+JDoe@users.noreply.github.com"}, "@JDoe"),
    ({"user.email": "jdoe@USERS.NOREPLY.GITHUB.COM"}, "@jdoe"),  # as migrate reads a commit's author
    ({"user.email": "jdoe@example.com", "github.user": "jd-gh"}, "@jd-gh"),
    ({"user.email": "jdoe@example.com"}, None),
])
def test_the_author_comes_from_git_config(tmp_path, monkeypatch, config, author):
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))  # nothing from the machine's config
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (tmp_path / "veps").mkdir()
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    for key, value in config.items():
        subprocess.run(["git", "-C", str(tmp_path), "config", key, value], check=True)
    assert main(["new", "--repo", str(tmp_path), "--sig", "sig-network", "--number", "5", "--title", "T",
                 "--today", TODAY]) == 0
    data = read(str(tmp_path / "veps/sig-network/5-t/vep.md")).front_matter.data
    assert data["authors"] == ([author] if author else ["@github-handle"])


def test_a_failed_write_leaves_no_directory_behind(tmp_path, monkeypatch, capsys):
    from pathlib import Path

    (tmp_path / "veps" / "sig-storage").mkdir(parents=True)

    def refuse(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", refuse)
    argv = ["new", "--repo", str(tmp_path), "--sig", "sig-storage", "--number", "5", "--title", "Thing", "--author", "@jdoe"]
    assert main(argv) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert not (tmp_path / "veps/sig-storage/5-thing").exists()  # so the next try is not refused as existing
