"""vep-review: deterministic checks and an LLM reviewer for KubeVirt Enhancement Proposals.

Architecture (see README.md): :mod:`agent.document` parses a VEP, :mod:`agent.rules` holds
one module per deterministic rule, :mod:`agent.engine` runs them, :mod:`agent.graph` is the
LangGraph review graph that feeds the deterministic findings to the LLM reviewers, and the
front ends (:mod:`agent.cli`, :mod:`agent.github`, ``evals/``) are thin over that core.
"""

__version__ = "0.1.0"
