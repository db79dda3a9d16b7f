"""The deterministic evaluation sets, run through the harness's Python API on the shared
corpus: they fail the build when a planted defect goes undetected, when a clean VEP gets an
error, or when the findings on historic VEP versions drift from the reviewed snapshot.

See docs/evals.md. Each test skips with a reason when ../shared is absent.
"""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS, HISTORY, need


@pytest.fixture(scope="module")
def eval_corpus():
    from evals.corpus import Corpus

    need(CORPUS)
    return Corpus.open(CORPUS)


@pytest.fixture(scope="module")
def mutations(eval_corpus):
    from evals.deterministic import run_mutations

    return run_mutations(eval_corpus)


def test_every_planted_defect_is_detected(mutations):
    missed = [f"{c.id}: {c.detail}" for c in mutations.cases if c.status in ("fail", "error")]
    assert mutations.metrics["cases_run"] > 50, "the mutation set ran suspiciously few cases"
    assert not missed, "mutation recall {:.1%}; missed:\n".format(mutations.metrics["recall"]) + "\n".join(missed)
    assert mutations.metrics["recall"] == 1.0


def test_every_expected_rule_is_exercised(mutations):
    """Each spec of evals/cases/mutations.yaml ran on at least one target (a spec that only
    skips tests nothing)."""
    from evals.deterministic import load_mutation_specs

    _, specs = load_mutation_specs()
    ran = {c.id.split("/")[1] for c in mutations.cases if c.status in ("pass", "fail")}
    assert {s.stem for s in specs} <= ran, f"specs that never ran: {sorted({s.stem for s in specs} - ran)}"


def test_clean_documents_have_no_errors(eval_corpus):
    from evals.deterministic import run_clean

    clean = run_clean(eval_corpus)
    assert clean.metrics["documents"] >= 1
    errors = [f"{c.id}: {c.detail}" for c in clean.cases if c.status != "pass"]
    assert not errors, "error-level findings on clean VEPs (false positives):\n" + "\n".join(errors)


def test_regression_snapshot_matches(eval_corpus):
    from evals.deterministic import run_regression

    need(HISTORY)
    result = run_regression(eval_corpus)
    assert result.metrics.get("files", 0) > 100
    assert not result.failed, (
        "findings on historic VEP versions differ from evals/snapshots/regression.json; review the diff and accept "
        "it with `vep-review eval --only regression --update-snapshot`:\n" + "\n".join(result.notes[:60]))
