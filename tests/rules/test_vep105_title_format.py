import pytest

from agent.document import parse
from tests.conftest import make_doc, need, run_rule


@pytest.mark.parametrize("h1", ["# VEP #123: Example", "# VEP 123: Example", "# VEP-123: Example", "# VEP \\#123: Example"])
def test_accepted_spellings(h1):
    assert run_rule("VEP105", make_doc(h1 + "\n")) == []


@pytest.mark.parametrize("h1", ["# Example feature", "# VEP #Example feature", "# VEP: Example"])
def test_malformed_titles(h1):
    (f,) = run_rule("VEP105", make_doc(h1 + "\n"))
    assert f.line == 1 and "# VEP #123: " in f.fix


def test_missing_h1():
    (f,) = run_rule("VEP105", make_doc("## Overview\n\ntext\n"))
    assert "no H1" in f.message


def test_real_vep_without_number(corpus):
    path = need(corpus / "veps/sig-compute/207-pause-probes/vep.md")
    rel = "veps/sig-compute/207-pause-probes/vep.md"
    (f,) = run_rule("VEP105", parse(path.read_bytes(), rel, rel))
    assert "VEP #207: Probe Proxy" in f.fix
