"""action.yml and examples/workflows/vep-review.yaml: the structure and the security
properties docs/github.md promises, checked on the YAML (actionlint and zizmor are run too
when they are installed; they are not dependencies of the project)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "examples" / "workflows" / "vep-review.yaml"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True


def steps_of(doc: dict) -> list[dict]:
    if "runs" in doc:
        return doc["runs"]["steps"]
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


@pytest.mark.parametrize("path", [ACTION, WORKFLOW], ids=["action", "workflow"])
def test_uses_are_pinned_by_full_commit_sha_with_a_version_comment(path):
    lines = [ln for ln in path.read_text().splitlines() if re.match(r"\s*(?:-\s+)?uses:", ln)]
    assert lines
    for line in lines:
        m = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)\s*#\s*(v\d[\w.]*)", line)
        assert m, f"not pinned with a version comment: {line.strip()}"
        assert SHA_PIN.match(m.group(1)), f"not a full commit SHA: {line.strip()}"


@pytest.mark.parametrize("path", [ACTION, WORKFLOW], ids=["action", "workflow"])
def test_no_expression_inside_run_scripts(path):
    for step in steps_of(load(path)):
        if "run" in step:
            assert "${{" not in step["run"], f"{step.get('name')}: pass values through env:, not ${{{{ }}}} in run:"


def test_action_is_composite_with_bash_steps_and_secrets_as_inputs():
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    run_steps = [s for s in action["runs"]["steps"] if "run" in s]
    assert run_steps and all(s.get("shell") == "bash" for s in run_steps)
    inputs = action["inputs"]
    assert inputs["anthropic-api-key"]["default"] == "" and not inputs["anthropic-api-key"].get("required")
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    (run,) = [s for s in run_steps if "-m agent github" in s["run"]]
    assert "--on-refused ignore" in run["run"]  # the gate step already replied, once
    # the key only for a full review that passed the gate
    assert run["env"]["ANTHROPIC_API_KEY"] == "${{ steps.gate.outputs.llm == 'true' && inputs.anthropic-api-key || '' }}"
    assert run["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    # the secret reaches only the step that needs it
    others = [s for s in action["runs"]["steps"] if s is not run]
    assert not any("anthropic-api-key" in str(s) for s in others)


def test_action_installs_itself_not_the_pull_request():
    action = load(ACTION)
    install = next(s for s in action["runs"]["steps"] if "pip install" in s.get("run", ""))
    assert "$ACTION_PATH" in install["run"] and install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert not any("checkout" in str(s.get("uses", "")) for s in action["runs"]["steps"])


def test_workflow_triggers_and_minimal_permissions():
    wf = load(WORKFLOW)
    on = triggers(wf)
    assert set(on) == {"issue_comment", "pull_request"}  # no pull_request_target, no workflow_run
    assert on["issue_comment"]["types"] == ["created"]
    assert sorted(on["pull_request"]["types"]) == ["opened", "reopened", "synchronize"]
    assert wf["permissions"] == {}
    check, review = wf["jobs"]["check"], wf["jobs"]["review"]
    assert check["permissions"] == {"contents": "read", "pull-requests": "read", "issues": "read"}
    assert review["permissions"] == {"contents": "read", "pull-requests": "write", "issues": "read"}
    assert "secrets." not in str(check)  # the push check needs no secret


def test_each_job_has_a_concurrency_group_per_pull_request():
    jobs = load(WORKFLOW)["jobs"]
    assert "github.event.pull_request.number" in jobs["check"]["concurrency"]["group"]
    assert "github.event.issue.number" in jobs["review"]["concurrency"]["group"]
    assert jobs["review"]["concurrency"]["cancel-in-progress"] is False  # a requested review is not dropped


def test_comment_job_filters_cheaply_and_never_checks_out_the_pull_request():
    review = load(WORKFLOW)["jobs"]["review"]
    condition = review["if"]
    assert "github.event.issue.pull_request" in condition and "startsWith(github.event.comment.body, '/vep-review')" in condition
    for job in load(WORKFLOW)["jobs"].values():
        for step in job["steps"]:
            if "actions/checkout" in step.get("uses", ""):
                with_ = step.get("with", {})
                assert with_.get("repository") and "github." not in str(with_.get("repository"))
                assert "ref" not in with_ and with_.get("persist-credentials") is False
    review_step = next(s for s in review["steps"] if "vep-review@" in s.get("uses", ""))
    assert review_step["with"]["anthropic-api-key"] == "${{ secrets.ANTHROPIC_API_KEY }}"


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed (not a project dependency)")
def test_actionlint():
    proc = subprocess.run(["actionlint", "-no-color", str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor is not installed (not a project dependency)")
def test_zizmor():
    proc = subprocess.run(["zizmor", "--offline", "--persona=pedantic", str(WORKFLOW), str(ACTION)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- supply chain ---------------------------------------------------------------------

REQUIREMENTS = ROOT / "requirements"
LOCKS = {"core": (), "action-check": ("github",), "action-full": ("llm", "github")}


def test_the_gate_runs_first_with_nothing_installed_and_no_key():
    steps = load(ACTION)["runs"]["steps"]
    gate = steps[0]
    assert gate["id"] == "gate" and "agent.github.pregate" in gate["run"] and "python3 -S" in gate["run"]
    assert "anthropic" not in str(gate).lower()
    for step in steps[1:]:  # nothing else happens unless the gate said so
        assert step.get("if") == "steps.gate.outputs.run == 'true'", step.get("name")


def test_install_is_hash_locked_wheels_only_with_a_cache_keyed_on_the_lock():
    steps = load(ACTION)["runs"]["steps"]
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    for flag in ("--require-hashes", "--only-binary :all:", "--no-deps", '-r "$ACTION_PATH/requirements/$LOCK.txt"'):
        assert flag in install["run"]
    assert install["env"]["LOCK"] == "${{ steps.gate.outputs.lock }}"
    lock = next(s for s in steps if s.get("id") == "lock")
    assert 'sha256sum "$ACTION_PATH/requirements/$LOCK.txt"' in lock["run"]
    cache = next(s for s in steps if "actions/cache@" in s.get("uses", ""))
    assert "steps.lock.outputs.sha" in cache["with"]["key"] and "steps.gate.outputs.lock" in cache["with"]["key"]
    assert steps.index(cache) < steps.index(install)


def test_actions_are_at_current_majors():
    text = ACTION.read_text() + WORKFLOW.read_text()
    assert "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0" in text
    assert "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1" in text
    assert "actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5" in text


def pins(path: Path) -> dict[str, list[str]]:
    """name -> hashes of a requirements file written by requirements/compile.sh."""
    out: dict[str, list[str]] = {}
    name = None
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if m:
            name = m[1].lower().replace("_", "-").replace(".", "-")
            out[name] = []
        for h in re.findall(r"--hash=sha256:([0-9a-f]{64})", line):
            out[name].append(h)
    return out


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_requirement_has_hashes(lock):
    found = pins(REQUIREMENTS / f"{lock}.txt")
    assert found and all(found.values()), [n for n, h in found.items() if not h]
    assert "requirements/compile.sh" in (REQUIREMENTS / f"{lock}.txt").read_text()  # how to regenerate it


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_locks_follow_pyproject(lock):
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = list(project["dependencies"]) + [d for extra in LOCKS[lock] for d in extras[extra]]
    names = {re.match(r"[A-Za-z0-9_.-]+", d)[0].lower().replace("_", "-").replace(".", "-") for d in wanted}
    found = pins(REQUIREMENTS / f"{lock}.txt")
    assert names <= set(found), sorted(names - set(found))
    if lock == "core":
        assert not {"anthropic", "langgraph", "pydantic", "pygithub"} & set(found)
