"""``vep-review github --dry-run``: the same review on a local git checkout between two refs
(files read with git, nothing checked out, no GitHub API), printing the comment it would post.
The checkout is a temporary git repository built from real VEPs of ../shared/corpus."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from agent.github import main
from agent.github.comment import STICKY_MARKER

ROOT = Path(__file__).resolve().parent.parent
KEEP = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
GONE = "veps/sig-compute/156-vmi-memory-overhead-reporting/vep.md"
TEMPLATE = "veps/NNNN-vep-template/vep.md"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path, corpus) -> Path:
    """main: three corpus files; topic: the VEP number in 307's title changed, 156 deleted."""
    repo = tmp_path / "enhancements"
    for rel in (KEEP, GONE, TEMPLATE):
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((corpus / rel).read_bytes())
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "topic")
    text = (repo / KEEP).read_text()
    assert text.count("# VEP #307") == 1
    (repo / KEEP).write_text(text.replace("# VEP #307", "# VEP #999"))
    (repo / GONE).unlink()
    git(repo, "commit", "-q", "-am", "topic")
    git(repo, "checkout", "-q", "main")  # the work tree shows the base: the head is read with git only
    return repo


def test_dry_run_prints_the_comment(checkout, capsys):
    head = git(checkout, "rev-parse", "topic")
    assert main(["--dry-run", "--repo-dir", str(checkout), "--base", "main", "--head", "topic"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{STICKY_MARKER}\n<!-- vep-review:key head={head} ")
    assert "mode=check llm=skipped" in out
    assert "### vep-review: deterministic checks" in out
    assert f"Reviewed head commit `{head[:12]}`" in out
    assert f"#### `{KEEP}`" in out
    assert re.search(r"- L\d+ \*\*\[VEP104\]\([^)]*\)\*\* `vep-number-mismatch`: The VEP number disagrees: directory says 307, "
                     r"title says 999", out)
    assert f"Deleted in this pull request, not checked: `{GONE}`." in out
    assert (checkout / GONE).exists()  # nothing was checked out


def test_dry_run_links_with_repo(checkout, capsys):
    head = git(checkout, "rev-parse", "topic")
    main(["--dry-run", "--repo-dir", str(checkout), "--base", "main", "--head", "topic", "--repo", "kubevirt/enhancements"])
    line = next(i for i, t in enumerate((checkout / KEEP).read_text().splitlines(), 1) if t.startswith("# VEP #307"))
    link = f"[L{line}](https://github.com/kubevirt/enhancements/blob/{head}/{KEEP}?plain=1#L{line}) **[VEP104]("
    assert link in capsys.readouterr().out


def test_dry_run_uses_base_configuration(checkout, capsys):
    (checkout / ".vep-review.yaml").write_text("disable: [VEP104]\n")
    git(checkout, "add", ".vep-review.yaml")
    git(checkout, "commit", "-q", "-m", "config")
    git(checkout, "checkout", "-q", "topic")
    git(checkout, "merge", "-q", "--no-edit", "main")
    main(["--dry-run", "--repo-dir", str(checkout), "--base", "main", "--head", "topic"])
    out = capsys.readouterr().out
    assert "VEP104" not in out.split("<!-- vep-review:state")[1].split("\n", 1)[1] and f"`{KEEP}`" in out


def test_dry_run_full_calls_the_review_graph(checkout, capsys, monkeypatch):
    calls = []

    def review_documents(items, llm):
        from agent.github.run import deterministic_report

        calls.append([doc.path for doc, _ in items])
        report = deterministic_report(items)
        report.llm_status = "ran: 3 calls, model m"
        report.usage = {"model": "m", "calls": 3, "input_tokens": 10, "output_tokens": 5}
        return report

    module = types.ModuleType("agent.review")
    module.LlmOptions = lambda **kw: types.SimpleNamespace(**kw)
    module.review_documents = review_documents
    monkeypatch.setitem(sys.modules, "agent.review", module)
    assert main(["--dry-run", "--repo-dir", str(checkout), "--base", "main", "--head", "topic", "--full"]) == 0
    out = capsys.readouterr().out
    assert calls == [[KEEP]]
    assert "mode=full llm=ok" in out and "**LLM review:** ran: 3 calls" in out and "15 tokens (in 10, out 5)" in out


def test_dry_run_full_without_a_key_keeps_the_checks(checkout, capsys, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    assert main(["--dry-run", "--repo-dir", str(checkout), "--base", "main", "--head", "topic", "--full"]) == 0
    out = capsys.readouterr().out
    assert "VEP104" in out and "**LLM review:** skipped: ANTHROPIC_API_KEY is not set" in out


def test_dry_run_makes_no_network_use(checkout):
    """Run in a fresh interpreter: PyGithub is never imported, so no GitHub API can be called."""
    code = ("import sys; from agent.github import main; "
            f"rc = main(['--dry-run', '--repo-dir', {str(checkout)!r}, '--base', 'main', '--head', 'topic']); "
            "print('RC', rc, 'PYGITHUB', 'github' in sys.modules, 'REQUESTS', 'requests' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "RC 0 PYGITHUB False REQUESTS False" in proc.stdout, proc.stderr
    assert "VEP104" in proc.stdout


def test_dry_run_bad_ref_and_bad_directory(checkout, tmp_path, capsys):
    assert main(["--dry-run", "--repo-dir", str(checkout), "--base", "main", "--head", "nope"]) == 2
    assert "nope: unknown git revision" in capsys.readouterr().err
    plain = tmp_path / "plain"
    plain.mkdir()
    assert main(["--dry-run", "--repo-dir", str(plain), "--base", "a", "--head", "b"]) == 2
    assert "not a git checkout" in capsys.readouterr().err


def test_dry_run_needs_its_arguments(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--dry-run", "--repo-dir", "."])
    assert exc.value.code == 2
    assert "--dry-run needs --base, --head" in capsys.readouterr().err


def test_console_script_dispatches_to_the_github_front_end(checkout):
    # the leading "--" of older workflows is still accepted
    proc = subprocess.run([sys.executable, "-m", "agent", "github", "--", "--dry-run", "--repo-dir", str(checkout),
                           "--base", "main", "--head", "topic"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert STICKY_MARKER in proc.stdout
