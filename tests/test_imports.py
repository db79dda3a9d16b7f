"""The deterministic check must start fast: it never imports anthropic, langgraph,
PyGithub, vcr or pydantic (measured by benchmarks/bench_check.py, asserted here), and
importing agent.review stays light too."""

import json
import subprocess
import sys

from tests.conftest import CORPUS, need

HEAVY = ("anthropic", "langgraph", "langchain_core", "github", "vcr", "pydantic", "httpx", "httpx2")


def test_python_m_agent_check_imports_nothing_heavy():
    # the console script's path (agent.cli.run), seen by `python -X importtime`
    target = need(CORPUS / "veps/sig-storage/90-utility-volumes/vep.md")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "agent", "check", str(target)],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert sorted(m for m in imported if m.split(".")[0] in HEAVY) == []


def test_importing_agent_review_is_light():
    code = ("import sys, agent.review\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_path_imports_nothing_heavy():
    target = need(CORPUS / "veps/sig-network/307-vhostuser-binding-plugin/vep.md")
    code = (
        "import sys, json\n"
        "from agent.cli import main\n"
        f"rc = main(['check', '--format', 'json', {str(target)!r}])\n"
        f"print('MODULES=' + json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    line = next(line for line in proc.stdout.splitlines() if line.startswith("MODULES="))
    assert json.loads(line[len("MODULES="):]) == []


def test_check_of_a_vep_without_front_matter_skips_the_start_up_costs():
    # what docs/benchmarks.md measured as start-up: dataclasses (and inspect), shutil (argparse
    # asks it the terminal width), and PyYAML with python-frontmatter when no document has
    # front matter (the bundled required sections are Python data)
    target = need(CORPUS / "veps/sig-storage/90-utility-volumes/vep.md")
    assert not target.read_text().startswith("---")
    code = (
        "import sys, json\n"
        "from agent.cli import main\n"
        f"rc = main(['check', '--format', 'json', {str(target)!r}])\n"
        "print('MODULES=' + json.dumps(sorted(m for m in ('dataclasses', 'inspect', 'shutil', 'yaml', 'frontmatter')"
        " if m in sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    line = next(line for line in proc.stdout.splitlines() if line.startswith("MODULES="))
    assert json.loads(line[len("MODULES="):]) == []
