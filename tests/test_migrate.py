"""``vep-review migrate``: front matter for legacy VEPs, on a copy of the real corpus and on
small scratch repositories (git history for ``creation-date``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from agent.cli import main
from agent.document import read
from agent.engine import CheckOptions, check_paths
from tests.conftest import CORPUS, SIG_RELEASE, need

TODAY = "2026-12-05"
#: Rules that must not fire (at any severity) after migrating the corpus, and rules whose
#: errors would mean the inferred block disagrees with the body or the directory.
ABSENT = {"VEP201", "VEP203", "VEP211"}
NO_ERRORS = {"VEP104", "VEP212", "VEP601", "VEP602"}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A copy of the corpus after ``migrate --write veps``: (copy root, files before, files after)."""
    need(CORPUS)
    need(SIG_RELEASE)
    root = tmp_path_factory.mktemp("corpus") / "kubevirt-enhancements"
    shutil.copytree(CORPUS, root)
    before = {p: p.read_bytes() for p in (root / "veps").rglob("*.md")}
    code = main(["migrate", "--write", str(root / "veps"), "--schedules", str(SIG_RELEASE), "--today", TODAY])
    assert code == 0
    after = {p: p.read_bytes() for p in (root / "veps").rglob("*.md")}
    return root, before, after


def _front_matter(root: Path, rel: str) -> dict:
    doc = read(str(root / rel))
    assert doc.front_matter is not None and doc.front_matter.error is None, rel
    return doc.front_matter.data


def test_corpus_migrated_then_check_is_clean_of_front_matter_disagreements(migrated):
    root, before, after = migrated
    changed = [p for p in after if after[p] != before[p]]
    assert len(changed) == 63  # every VEP but 307, which has front matter; template and appendices untouched
    assert all(after[p].endswith(before[p]) for p in changed)  # the body is never changed
    report = check_paths([str(root / "veps")], CheckOptions(schedules=str(SIG_RELEASE)))
    assert len(report.files) == 64 and not report.errors
    assert not [f for f in report.findings if f.rule in ABSENT]
    assert not [f for f in report.findings if f.rule in NO_ERRORS and f.severity == "error"]
    assert not [f for f in report.findings if f.rule in {"VEP000", "VEP204"}]


def test_second_run_changes_no_file(migrated, capsys):
    root, _, after = migrated
    capsys.readouterr()
    assert main(["migrate", "--write", str(root / "veps"), "--schedules", str(SIG_RELEASE), "--today", TODAY]) == 0
    assert {p: p.read_bytes() for p in (root / "veps").rglob("*.md")} == after
    assert "0 VEPs migrated" in capsys.readouterr().out


def test_inferred_values_on_real_veps(migrated):
    root, _, _ = migrated
    passt = _front_matter(root, "veps/sig-network/21-passt/vep.md")
    # alpha is struck through in the body: only beta v1.8 is targeted, and it shipped
    assert passt["milestone"] == {"beta": "v1.8"}
    assert (passt["status"], passt["stage"], passt["vep-number"]) == ("implementable", "beta", "21")
    assert passt["owning-sig"] == "sig-network" and passt["feature-gate"] == "passtIPStackMigration"
    assert passt["reviewers"] == ["TBD"] and passt["creation-date"] == "TBD"  # not a git checkout
    video = _front_matter(root, "veps/sig-compute/35-video-configuration/vep.md")
    assert video["milestone"] == {"alpha": "v1.6", "beta": "v1.7", "ga": "v1.9"}  # "v1.6.0" read as v1.6
    assert (video["status"], video["stage"]) == ("implemented", "ga")
    proxy = _front_matter(root, "veps/sig-compute/191-decentralized-migration-proxy/vep.md")
    # alpha v1.9 and beta v1.10 shipped by 2026-12-05, GA v1.11 not: GA is being worked on
    assert (proxy["status"], proxy["stage"]) == ("implementable", "ga")
    gates = _front_matter(root, "veps/sig-compute/104-allow-disabling-feature-gates/vep.md")
    assert "feature-gate" not in gates and "stage" not in gates and gates["status"] == "provisional"
    governance = _front_matter(root, "veps/meta-VEPs/282-vep-proposal-governance/vep.md")
    assert "feature-gate" not in governance and "stage" not in governance  # a meta-VEP
    assert governance["status"] == "implemented" and governance["owning-sig"] == "TBD"
    s390x = _front_matter(root, "veps/sig-compute/19-ibm-z-secure-execution/vep.md")
    assert s390x["title"] == "TBD"  # its H1 is "# Overview", a section heading


def test_comments_and_schema_style(migrated):
    root, _, _ = migrated
    text = (root / "veps/sig-network/21-passt/vep.md").read_text()
    block = text.split("\n---\n", 1)[0]
    assert block.startswith("---\ntitle: Seamless TCP migration")
    keys = [line.split(":")[0] for line in block.splitlines()[1:] if line[:1].isalpha()]
    assert keys == ["title", "vep-number", "creation-date", "status", "authors", "owning-sig", "participating-sigs",
                    "reviewers", "approvers", "feature-gate", "stage", "milestone", "replaces", "superseded-by"]
    assert '  beta: "v1.8"' in block and "# body line 8" in block
    assert "# from the directory name 21-passt/" in block
    assert "\n\nauthors:\n" in block and "\n\nreplaces: \"\"\n" in block


def test_diff_by_default_writes_nothing(tmp_path, capsys):
    vep = _scratch_vep(tmp_path, "veps/sig-storage/12-thing/vep.md", """\
        # VEP #12: Thing

        ## VEP Status Metadata

        - This VEP targets alpha for version: v1.4
        """)
    before = vep.read_bytes()
    assert main(["migrate", str(vep), "--no-git", "--schedules", str(need(SIG_RELEASE)), "--today", TODAY]) == 0
    captured = capsys.readouterr()
    assert vep.read_bytes() == before
    assert captured.out.startswith("--- a") and "+++ b" in captured.out and "+vep-number: 12" in captured.out
    assert "+status: implementable" in captured.out  # v1.4 shipped (GA 2024-11-13)
    assert "to fill in: authors" in captured.err and "to fill in: creation-date" in captured.err


def _scratch_vep(root: Path, rel: str, body: str, newline: str = "\n") -> Path:
    (root / "veps" / "sig-storage").mkdir(parents=True, exist_ok=True)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(body).replace("\n", newline).encode())
    return path


def _git(cwd: Path, *args: str, date: str | None = None, email: str = "a@example.org") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="A", GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME="A",
               GIT_COMMITTER_EMAIL="a@example.org", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    if date:
        env.update(GIT_AUTHOR_DATE=f"{date}T12:00:00+00:00", GIT_COMMITTER_DATE=f"{date}T12:00:00+00:00")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_creation_date_from_first_commit_following_renames(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q")
    old = _scratch_vep(tmp_path, "veps/sig-storage/vep-thing.md", """\
        # VEP #40: Thing that moved

        ## Overview

        A thing, proposed long ago, then moved into its own directory.
        """)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "propose", date="2023-03-04", email="4242+jdoe@users.noreply.github.com")
    new = tmp_path / "veps/sig-storage/40-thing/vep.md"
    new.parent.mkdir(parents=True)
    _git(tmp_path, "mv", str(old), str(new))
    _git(tmp_path, "commit", "-q", "-m", "move", date="2025-01-02")
    with new.open("a") as f:
        f.write("\nMore text.\n")
    _git(tmp_path, "commit", "-q", "-am", "edit", date="2025-06-07")
    assert main(["migrate", "--write", str(new)]) == 0
    data = read(str(new)).front_matter.data
    assert data["creation-date"] == "2023-03-04"
    assert data["authors"] == ["@jdoe"]  # the first commit's author, by its GitHub no-reply address
    assert "# first commit of the file" in new.read_text()
    assert read(str(new)).front_matter.implicit_types == []  # quoted: YAML 1.1 would read a date


def test_untracked_file_in_a_checkout_gets_tbd(tmp_path, capsys):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q")
    vep = _scratch_vep(tmp_path, "veps/sig-storage/41-new/vep.md", "# VEP #41: New\n\nBody.\n")
    assert main(["migrate", "--write", str(vep)]) == 0
    data = read(str(vep)).front_matter.data
    assert data["creation-date"] == "TBD" and data["authors"] == ["TBD"]
    assert "to fill in: creation-date" in capsys.readouterr().out


def test_values_yaml_1_1_would_change_are_quoted(tmp_path):
    yes = _scratch_vep(tmp_path, "veps/sig-storage/7-yes/vep.md", "# VEP #7: Yes\n\nBody.\n")
    number = _scratch_vep(tmp_path, "veps/sig-storage/8-ten/vep.md", "# VEP #8: 1.10\n\nBody.\n")
    colon = _scratch_vep(tmp_path, "veps/sig-storage/9-colon/vep.md", "# VEP #9: Live migration: next # steps\n\nBody.\n")
    assert main(["migrate", "--write", "--no-git", str(yes), str(number), str(colon)]) == 0
    for path, title in ((yes, "Yes"), (number, "1.10"), (colon, "Live migration: next # steps")):
        fm = read(str(path)).front_matter
        assert fm.error is None and fm.implicit_types == [] and fm.data["title"] == title


def test_conflicting_targets_are_left_out_and_listed(tmp_path, capsys):
    vep = _scratch_vep(tmp_path, "veps/sig-storage/11-two/vep.md", """\
        # VEP #11: Two gates

        ## VEP Status Metadata

        - This VEP targets alpha for version: v1.7
        - This VEP targets beta for version: v1.9

        ## Second gate

        - This VEP targets alpha for version: v1.8
        """)
    assert main(["migrate", "--write", "--no-git", str(vep), "--schedules", str(need(SIG_RELEASE)),
                 "--today", TODAY]) == 0
    out = capsys.readouterr().out
    assert "milestone.alpha: the body targets alpha for v1.7 (line" in out
    data = read(str(vep)).front_matter.data
    assert data["milestone"] == {"beta": "v1.9"}
    report = check_paths([str(vep)])
    assert not [f for f in report.findings if f.rule in NO_ERRORS | ABSENT]


def test_crlf_and_bom_kept(tmp_path):
    vep = _scratch_vep(tmp_path, "veps/sig-storage/13-crlf/vep.md", "# VEP #13: Windows\n\nBody.\n", newline="\r\n")
    vep.write_bytes(b"\xef\xbb\xbf" + vep.read_bytes())
    original = vep.read_bytes()
    assert main(["migrate", "--write", "--no-git", str(vep)]) == 0
    data = vep.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n") and data.endswith(original[3:])
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert read(str(vep)).front_matter.data["vep-number"] == "13"


def test_missing_path_is_a_one_line_error(tmp_path, capsys):
    assert main(["migrate", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_no_h1_gets_tbd_title_and_not_utf8_is_left_alone(tmp_path, capsys):
    no_h1 = tmp_path / "veps/sig-storage/8-no-h1/vep.md"
    latin = tmp_path / "veps/sig-storage/9-latin1/vep.md"
    for path, data in ((no_h1, b"Some text, no heading.\n\n## Motivation\n\nWhy.\n"),
                       (latin, "# VEP #9: Caf\u00e9\n\n## Motivation\n".encode("latin-1"))):
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
    before = latin.read_bytes()
    assert main(["migrate", "--write", "--no-git", str(tmp_path / "veps")]) == 2  # a file it cannot read as text
    captured = capsys.readouterr()
    assert no_h1.read_text().startswith("---\ntitle: TBD") and "to fill in: title: the document has no H1" in captured.out
    assert latin.read_bytes() == before and "9-latin1/vep.md: not UTF-8 text; left alone" in captured.err


def test_files_other_than_markdown_get_no_front_matter(tmp_path, capsys):
    notes = tmp_path / "veps/sig-storage/notes.txt"  # loose files VEP106 reports; discover gives them too
    notes.parent.mkdir(parents=True)
    notes.write_text("notes\n")
    (tmp_path / "veps/sig-storage/diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    assert main(["migrate", "--write", "--no-git", str(tmp_path / "veps")]) == 0
    assert notes.read_text() == "notes\n"
    assert "notes.txt: not a markdown document; left alone" in capsys.readouterr().err
