"""Shared fixtures: paths into ../shared (tests that need it skip with a reason when it is
absent) and helpers to check small documents."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from agent.context import CheckContext, sig_dirs
from agent.document import parse
from agent.engine import check_document
from agent.template import load_template

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "kubevirt-enhancements"
HISTORY = SHARED / "corpus" / "kubevirt-enhancements-history"
SIG_RELEASE = SHARED / "corpus" / "sig-release"
FIXTURES = Path(__file__).parent / "fixtures"


def need(path: Path) -> Path:
    """Skip the calling test when ``path`` (usually under ../shared) is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not checked out beside the project")
    return path


@pytest.fixture
def corpus() -> Path:
    """The kubevirt/enhancements snapshot in ../shared."""
    return need(CORPUS)


@pytest.fixture
def history() -> Path:
    """Every historic version of every VEP, in ../shared."""
    return need(HISTORY)


def make_doc(text: str, repo_path: str = "veps/sig-compute/123-example/vep.md"):
    """Parse a dedented markdown string as a document at ``repo_path``."""
    return parse(textwrap.dedent(text).lstrip("\n").encode(), repo_path, repo_path)


def make_ctx(repo_root: Path | None = None, **kwargs) -> CheckContext:
    """A context like the CLI builds, for ``repo_root`` (None: bundled template, fallback SIGs)."""
    ctx = CheckContext(repo_root=repo_root, sigs=sig_dirs(repo_root),
                       template=load_template(str(repo_root) if repo_root else None),
                       today=kwargs.pop("today", dt.date(2026, 11, 22)))
    for key, value in kwargs.items():
        setattr(ctx, key, value)
    return ctx


def run_rule(rule_id: str, doc, ctx: CheckContext | None = None):
    """Findings of one rule on one document."""
    from agent.rules import get_rule

    return check_document(doc, ctx or make_ctx(), rules=[get_rule(rule_id)])
