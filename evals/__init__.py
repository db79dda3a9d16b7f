"""The evaluation harness of vep-review (``vep-review eval``; docs/evals.md).

Case sets:

- ``mutations`` (deterministic): real VEPs with one planted defect each, made by the named
  mutators of :mod:`evals.mutators` from the declarative specs in
  ``evals/cases/mutations.yaml``; the rule that must fire is known, so recall and false
  positives per rule are exact.
- ``clean`` (deterministic): real and example VEPs without a planted defect; every
  error-level finding is a false positive.
- ``regression`` (deterministic): the findings of every historic VEP version, compared with
  the snapshot ``evals/snapshots/regression.json``.
- ``concerns`` (LLM): LLM findings on the PR versions of historic VEPs, matched by content
  (:mod:`evals.matching`, and a recorded judge, :mod:`evals.judge`) to the concerns human
  reviewers raised (``../shared/evals/human-concerns-dev.jsonl``, or ``--split``), beside
  offline baselines (:mod:`evals.baselines`).
- ``gaps`` (LLM): design gaps planted into real VEPs (``evals/cases/gaps.yaml``); the
  concern category the LLM should raise is known.

The LLM sets replay recorded cassettes (``evals/cassettes/<model>/``), keyed by a hash of the
requests the reviewers send (:mod:`evals.requestkey`); the network is used only with
``--record``. The Python API is :func:`evals.run.run_eval`.
"""
