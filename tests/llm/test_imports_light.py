"""``vep-review check`` never imports the LLM stack, and importing agent.review is light."""

import subprocess
import sys

from tests.conftest import CORPUS, need

HEAVY = ("anthropic", "langgraph", "langchain_core", "github", "pydantic", "vcr", "httpx2")


def test_python_m_agent_check_imports_no_llm_stack():
    target = need(CORPUS / "veps/sig-storage/90-utility-volumes/vep.md")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "agent", "check", str(target)],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert heavy == []


def test_importing_agent_review_is_light():
    code = ("import sys, agent.review\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
