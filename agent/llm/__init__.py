"""The LLM reviewer: three reviewers that read a VEP against the project's own process
documents and return findings grounded in verbatim quotes.

Modules (each imported only by the review graph, never by ``vep-review check``):

- :mod:`agent.llm.schema`: the pydantic model of the model's answer and its conversion rules.
- :mod:`agent.llm.sanitize`: what is removed from the VEP text before it is sent (HTML
  comments, invisible and bidi characters) and how it is delimited as data.
- :mod:`agent.llm.context_docs`: the process documents (writing guide, template, feature
  lifecycle, PRR questions), read from the checked repository or bundled summaries.
- :mod:`agent.llm.taxonomy`: the deterministic cross-SIG pre-pass over ``agent/data/sig-areas.yaml``.
- :mod:`agent.llm.gates`: does the VEP name a feature gate, or opt out of one?
- :mod:`agent.llm.prompts`: assembles the request (cached system prefix, reviewer
  instructions, the delimited document and the reviewer's evidence).
- :mod:`agent.llm.client`: the Anthropic Messages client: structured output validated with
  pydantic, bounded retries with a capped retry-after, one repair attempt, usage accounting.
- :mod:`agent.llm.reviewers`: the three reviewers (design gaps, cross-SIG impact,
  feature-gate justification).
- :mod:`agent.llm.verify`: quote verification, line computation, caps and de-duplication.
- :mod:`agent.llm.pricing`: the price table behind the cost estimate.
- :mod:`agent.llm.fake_server`: a local Anthropic-compatible test double (benchmarks, tests).
"""
