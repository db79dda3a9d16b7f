"""The cost estimate (agent/llm/pricing.py)."""

from agent.llm.pricing import estimate_cost, price_of


def test_prices_by_family_most_specific_first():
    assert price_of("claude-opus-5-5") == (4.0, 20.0)
    assert price_of("claude-opus-5") == (5.0, 25.0)
    assert price_of("claude-sonnet-5-5") == (2.0, 10.0)
    assert price_of("claude-haiku-4-5-20251001") == (1.0, 5.0)
    assert price_of("my-local-llama") is None


def test_estimate_counts_cache_writes_and_reads():
    # 1M input at $2, 1M output at $10, 1M cache writes at 1.25x, 1M cache reads at 0.1x
    assert estimate_cost("claude-sonnet-5-5", 1_000_000, 1_000_000, 1_000_000, 1_000_000) == 2 + 10 + 2.5 + 0.2
    assert estimate_cost("unknown-model", 10, 10) is None
