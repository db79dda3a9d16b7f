"""The built wheel, installed into fresh virtual environments outside the checkout, works as
a user gets it: the prompts and data files are inside the package, `pip install vep-review`
is the slim deterministic core (at most 12 distributions) and checks as the full install
does, a command needing a missing extra says which in one line, and with the extras the
installed package reviews against a local fake Anthropic server and answers
`github --dry-run`.

Speed: the wheel is built without build isolation from a copy of the sources (~2 s); the core
environment installs the core's dependencies offline from a wheelhouse kept between runs
(filled from the package index once, ~30 s; then a few seconds); the extras
environment installs the wheel alone and borrows the running environment's packages through
a .pth line instead of installing ~45 distributions again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from agent.llm.fake_server import FakeAnthropic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "veps/sig-compute/4242-vcpu-hotplug-ceiling/vep.md"
#: What a wheel is built from: the package sources and the files pyproject.toml names.
SOURCES = ("agent", "evals", "prompts", "pyproject.toml", "README.md", "LICENSE")
MAX_CORE_DISTRIBUTIONS = 12


def sh(*args, cwd=None, env=None, check=True, timeout=300) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc


def clean_env(**extra) -> dict:
    """The environment of a user's shell: no PYTHONPATH or virtual environment of ours, no
    prompt override, no key."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "VEP_REVIEW_PROMPTS", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                        "PYTHONHOME", "FORCE_COLOR")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "out", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("dist")
    isolation = [] if _has_setuptools() else ["--use-pep517"]
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *(["--no-build-isolation"] if not isolation else []),
       "-w", out, src)
    (built,) = out.glob("vep_review-*.whl")
    return built


def _has_setuptools() -> bool:
    try:
        import setuptools  # noqa: F401
    except ImportError:
        return False
    return True


def make_venv(where: Path) -> Path:
    sh(sys.executable, "-m", "venv", where)
    return where / "bin" / "python"


def wheelhouse() -> Path:
    """Wheels of the core's dependencies, kept between runs (``$XDG_CACHE_HOME/vep-review``),
    so that the core environment installs offline, from local files, in a few seconds."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "vep-review" / "wheelhouse"


@pytest.fixture(scope="module")
def core(tmp_path_factory, wheel) -> Path:
    """A fresh environment with `pip install vep-review` (the wheel, core dependencies only)."""
    python = make_venv(tmp_path_factory.mktemp("core") / "venv")
    house = wheelhouse()
    install = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-index", "--find-links", house, wheel]
    if sh(*install, env=clean_env(), check=False).returncode != 0:  # first run, or the core's dependencies changed
        house.mkdir(parents=True, exist_ok=True)
        sh(sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "-w", house, wheel, env=clean_env())
        for own in house.glob("vep_review-*.whl"):
            own.unlink()
        sh(*install, env=clean_env())
    return python


@pytest.fixture(scope="module")
def full(tmp_path_factory, wheel) -> Path:
    """A fresh environment with the wheel installed and the extras (anthropic, langgraph,
    PyGithub, …) borrowed from the environment running the tests, after its own site-packages."""
    where = tmp_path_factory.mktemp("full") / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", where)  # no ensurepip: our pip installs into it
    python = where / "bin" / "python"
    sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--disable-pip-version-check",
       wheel, env=clean_env())
    site = sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "zz-borrowed-extras.pth").write_text("".join(p + "\n" for p in sorted(ours)))
    return python


def vep_review(python: Path, *args, cwd: Path, env=None, check=False) -> subprocess.CompletedProcess:
    return sh(python.parent / "vep-review", *args, cwd=cwd, env=env or clean_env(), check=check)


@pytest.fixture
def outside(tmp_path) -> Path:
    """A working directory outside the checkout holding a copy of the example VEP."""
    (tmp_path / EXAMPLE).parent.mkdir(parents=True)
    shutil.copy2(ROOT / "examples" / EXAMPLE, tmp_path / EXAMPLE)
    return tmp_path


def test_wheel_holds_prompts_data_licence_and_metadata(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = z.read(meta_name).decode()
    prompts = {p.relative_to(ROOT / "prompts").as_posix() for p in (ROOT / "prompts").rglob("*.md")}
    assert prompts and {f"agent/prompts/{p}" for p in prompts} <= names
    assert "agent/data/sig-areas.yaml" in names and "evals/cases/mutations.yaml" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("prompts/", "tests/")) for n in names)  # nothing at the top of site-packages
    assert "License-Expression: Apache-2.0" in meta and "Project-URL: Source, " in meta
    assert "Classifier: Topic :: Software Development :: Quality Assurance" in meta
    extras = {line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Provides-Extra: ")}
    assert extras == {"llm", "github", "eval", "all", "test"}


def test_every_package_directory_is_in_the_wheel(wheel):
    # pyproject.toml lists the packages (prompts/ is mapped into agent.prompts): a new package
    # directory must be added there, or the installed tool lacks it
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for init in [*ROOT.glob("agent/**/__init__.py"), *ROOT.glob("evals/**/__init__.py")]:
        rel = init.relative_to(ROOT).as_posix()
        assert rel in names, f"{rel} is not in the wheel: add its package to [tool.setuptools] packages"


def test_core_install_is_slim_and_checks_as_the_full_install(core, outside, capsys):
    listed = json.loads(sh(core, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check").stdout)
    names = sorted(d["name"].lower() for d in listed)
    assert len(names) <= MAX_CORE_DISTRIBUTIONS, names
    assert not {"anthropic", "langgraph", "pydantic", "pygithub", "vcrpy"} & set(names)
    where = sh(core, "-c", "import agent; print(agent.__file__)", cwd=outside, env=clean_env()).stdout
    assert "site-packages" in where and str(ROOT) not in where
    installed = vep_review(core, "check", "--output-format", "json", EXAMPLE, cwd=outside)
    assert installed.returncode in (0, 1), installed.stderr
    from agent.cli import main

    cwd = os.getcwd()
    try:
        os.chdir(outside)
        code = main(["check", "--output-format", "json", EXAMPLE])
    finally:
        os.chdir(cwd)
    assert json.loads(installed.stdout) == json.loads(capsys.readouterr().out) and installed.returncode == code


def test_core_install_checks_the_corpus_as_the_full_install(core, corpus, capsys):
    from agent.cli import main

    installed = vep_review(core, "check", "--output-format", "json", corpus, cwd=corpus.parent)
    code = main(["check", "--output-format", "json", str(corpus)])
    assert json.loads(installed.stdout) == json.loads(capsys.readouterr().out) and installed.returncode == code


def test_core_install_names_the_missing_extra(core, outside):
    proc = vep_review(core, "review", EXAMPLE, cwd=outside, env=clean_env(ANTHROPIC_API_KEY="sk-test"))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'vep-review[llm]'" in lines[0], proc.stderr
    assert vep_review(core, "review", "--no-llm", EXAMPLE, cwd=outside).returncode in (0, 1)


def test_core_install_runs_the_pre_commit_hook_command(core, outside):
    # .pre-commit-hooks.yaml: `vep-review check` with the changed files (the core only)
    proc = vep_review(core, "check", "--output-format", "concise", EXAMPLE, cwd=outside)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr


def test_installed_wheel_reviews_with_its_packaged_prompts(full, outside):
    where = sh(full, "-c", "import agent, anthropic; print(agent.__file__)", cwd=outside, env=clean_env()).stdout
    assert str(ROOT) not in where
    prompts = sh(full, "-c", "from agent.llm.prompts_dir import prompts_root; print(prompts_root())",
                 cwd=outside, env=clean_env()).stdout.strip()
    assert prompts.endswith("site-packages/agent/prompts"), prompts
    with FakeAnthropic(delay=0.01, chatty=8) as server:
        proc = vep_review(full, "review", "--output-format", "json", "--base-url", server.url, EXAMPLE, cwd=outside)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    assert data["llm"]["status"].startswith("ran"), data["llm"]
    assert [f for f in data["findings"] if f["origin"] == "llm"] and {f["path"] for f in data["findings"]} == {EXAMPLE}


def test_installed_wheel_answers_github_dry_run(full, outside):
    def git(*args):
        return sh("git", "-C", outside, "-c", "user.name=t", "-c", "user.email=t@example.com", *args).stdout.strip()

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "topic")
    vep = outside / EXAMPLE
    vep.write_text(vep.read_text().replace("# VEP #4242", "# VEP #4243", 1))
    git("commit", "-q", "-am", "topic")
    proc = vep_review(full, "github", "--dry-run", "--repo-dir", outside, "--base", "main", "--head", "topic",
                      cwd=outside.parent)
    assert proc.returncode == 0, proc.stderr
    assert "vep-review" in proc.stdout and "VEP104" in proc.stdout and f"`{EXAMPLE}`" in proc.stdout
