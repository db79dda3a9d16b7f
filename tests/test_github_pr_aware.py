"""PR-aware reviews: findings marked ``introduced``, folded
pre-existing findings, renamed-only files counted, ``--format json``, and a second run that
follows the first through the state kept in the comment.

The scratch repository is built from ../shared/corpus/kubevirt-enhancements: its head renames
30 VEP directories (content unchanged) and removes ``## Alternatives`` from one VEP."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from agent.github import main
from agent.github.state import ReviewState

TARGET = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          capture_output=True, text=True, check=True).stdout.strip()


def _drop_alternatives(text: str) -> str:
    """The text without its ``## Alternatives`` section (heading and body)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().lower().startswith("## alternatives"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[:start] + lines[end:])


@pytest.fixture(scope="module")
def renamed_repo(tmp_path_factory) -> tuple[Path, list[str]]:
    """main: the corpus's veps/; topic: 30 VEP directories renamed (same bytes), and
    ``## Alternatives`` removed from :data:`TARGET`; fix: the section restored."""
    from tests.conftest import CORPUS, need

    corpus = need(CORPUS)
    repo = tmp_path_factory.mktemp("renames") / "enhancements"
    shutil.copytree(corpus / "veps", repo / "veps")
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "topic")
    dirs = sorted(p.parent for p in (repo / "veps").glob("sig-*/*/vep.md") if TARGET not in str(p))[:30]
    assert len(dirs) == 30
    renamed = []
    for d in dirs:
        new = d.with_name(d.name + "-moved")
        git(repo, "mv", str(d.relative_to(repo)), str(new.relative_to(repo)))
        renamed.append(str((new / "vep.md").relative_to(repo)))
    original = (repo / TARGET).read_text()
    (repo / TARGET).write_text(_drop_alternatives(original))
    git(repo, "commit", "-q", "-am", "rename 30 VEP directories; drop Alternatives from 307")
    git(repo, "checkout", "-q", "-b", "fix")
    (repo / TARGET).write_text(original)
    git(repo, "commit", "-q", "-am", "restore Alternatives")
    git(repo, "checkout", "-q", "main")
    return repo, renamed


def dry(repo: Path, head: str, *extra: str, capsys) -> str:
    assert main(["--dry-run", "--repo-dir", str(repo), "--base", "main", "--head", head,
                 "--repo", "kubevirt/enhancements", *extra]) == 0
    return capsys.readouterr().out


def test_only_the_finding_the_pr_caused_is_introduced(renamed_repo, capsys):
    repo, renamed = renamed_repo
    data = json.loads(dry(repo, "topic", "--format", "json", capsys=capsys))
    introduced = [f for f in data["findings"] if f["introduced"]]
    assert [(f["rule"], f["path"]) for f in introduced] == [("VEP401", TARGET)]
    assert "Alternatives" in introduced[0]["message"]
    assert all(re.fullmatch(r"[0-9a-f]{10}", f["fingerprint"]) for f in data["findings"])
    pre = [f for f in data["findings"] if not f["introduced"]]
    assert pre and {f["path"] for f in pre} <= set(renamed) | {TARGET}
    comment = data["comment"]
    assert comment["introduced"] == 1 and comment["pre_existing"] == len(pre)
    assert sorted(comment["renamed_only"]) == sorted(renamed)
    state = comment["state"]
    assert state["head"] == git(repo, "rev-parse", "topic") and state["base"] == git(repo, "rev-parse", "main")
    assert set(state["findings"]) == {f["fingerprint"] for f in data["findings"]}
    assert comment["since"] is None  # no previous review
    # the check contract is kept: the version and keys of `check --format json`
    assert data["version"] == 1 and {"files", "summary"} <= data.keys()


def test_the_markdown_comment_leads_with_the_introduced_finding_and_stays_short(renamed_repo, capsys):
    repo, renamed = renamed_repo
    out = dry(repo, "topic", capsys=capsys)
    assert len(out) < 12000, len(out)
    assert "**Introduced by this pull request: 1 error.**" in out
    first_finding = out.index("**[VEP401]")
    assert out.index("Already there before this pull request") > first_finding
    head = git(repo, "rev-parse", "topic")
    base = git(repo, "rev-parse", "main")
    assert f"({len(renamed)} only renamed)" in out
    assert f"against base [`{base[:12]}`](https://github.com/kubevirt/enhancements/commit/{base})" in out
    assert f"/blob/{head}/{TARGET}" in out
    # a file the PR only renamed adds nothing but a count: its findings are not listed
    for path in renamed:
        assert f"{path}?plain=1" not in out and f"`{path}`" not in out
    assert re.search(r"Already there before this pull request: \d+ findings, all in the 30 VEP documents this pull "
                     r"request only renamed \(not listed\)", out)
    # the full listing names them all, and is far longer
    full = dry(repo, "topic", "--full-listing", capsys=capsys)
    assert len(full) > 2 * len(out) and any(f"`{path}`" in full for path in renamed)


def test_a_second_run_after_the_fix_shows_the_finding_resolved(renamed_repo, capsys, tmp_path):
    repo, _ = renamed_repo
    first = dry(repo, "topic", capsys=capsys)
    fp = ReviewState.parse(first).findings
    introduced = [k for k, e in fp.items() if e["introduced"]]
    assert len(introduced) == 1
    previous = tmp_path / "comment.md"
    previous.write_text(first)
    data = json.loads(dry(repo, "fix", "--format", "json", "--previous-comment", str(previous), capsys=capsys))
    since = data["comment"]["since"]
    assert since["head"] == git(repo, "rev-parse", "topic")
    assert since["resolved"] == introduced and since["new"] == []
    assert len(since["still_open"]) == len(fp) - 1
    assert not any(f["introduced"] for f in data["findings"])
    text = dry(repo, "fix", "--previous-comment", str(previous), capsys=capsys)
    assert re.search(rf"Since the last review \(`{git(repo, 'rev-parse', 'topic')[:12]}`\): 0 new, 1 resolved, "
                     rf"{len(fp) - 1} still open\.", text)
    resolved = text.split("<summary>Resolved since")[1].split("</details>")[0]
    assert f"`{introduced[0]}` **[VEP401]" in resolved and "Nothing introduced by this pull request" in text


def test_previous_comment_without_a_state_is_a_fresh_review(renamed_repo, capsys, tmp_path):
    repo, _ = renamed_repo
    previous = tmp_path / "old.md"
    previous.write_text("<!-- vep-review:sticky -->\n<!-- vep-review:state v1 !!!not-base64 -->\n")
    data = json.loads(dry(repo, "topic", "--format", "json", "--previous-comment", str(previous), capsys=capsys))
    assert data["comment"]["since"] is None
    assert main(["--dry-run", "--repo-dir", str(repo), "--base", "main", "--head", "topic",
                 "--previous-comment", str(tmp_path / "absent.md")]) == 2
    assert "cannot read the previous comment" in capsys.readouterr().err
