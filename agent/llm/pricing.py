"""The cost estimate printed with every LLM review.

**An estimate**, from a small table of list prices per model family (USD per million tokens,
Anthropic's published standard prices as of November 2026: platform.claude.com model pages).
Cache writes (5-minute) are priced at 1.25x the input price and cache reads at 0.1x, as
Anthropic documents. Not included: batch or regional discounts, long-context tiers (Claude
Haiku 5.5 is listed at its price for prompts up to 100,000 tokens), taxes, and any price
change after that date. Unknown models (a self-hosted endpoint, a new model) get no estimate
(``None``) rather than a wrong one. Update the table when prices change.
"""

from __future__ import annotations

#: (model id prefix, input USD/MTok, output USD/MTok); the first matching prefix wins.
PRICES: tuple[tuple[str, float, float], ...] = (
    ("claude-fable-", 10.0, 50.0),
    ("claude-opus-5-5", 4.0, 20.0),
    ("claude-opus-5", 5.0, 25.0),
    ("claude-opus-4-5", 5.0, 25.0),
    ("claude-opus-4-6", 5.0, 25.0),
    ("claude-opus-4-7", 5.0, 25.0),
    ("claude-opus-4-8", 5.0, 25.0),
    ("claude-opus-4", 15.0, 75.0),
    ("claude-sonnet-5", 2.0, 10.0),
    ("claude-sonnet-4", 3.0, 15.0),
    ("claude-haiku-5", 0.10, 0.50),
    ("claude-haiku-4-5", 1.0, 5.0),
)
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.10


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens for ``model``, or ``None`` when unknown."""
    for prefix, inp, out in PRICES:
        if model.startswith(prefix):
            return inp, out
    return None


def estimate_cost(model: str, input_tokens: int, output_tokens: int, cache_creation_input_tokens: int = 0,
                  cache_read_input_tokens: int = 0) -> float | None:
    """Estimated USD cost of the given token counts (``input_tokens`` excludes cached tokens, as
    the API reports it); ``None`` for a model not in :data:`PRICES`. Rounded to 6 decimals."""
    price = price_of(model)
    if price is None:
        return None
    inp, out = price
    cost = (input_tokens * inp + output_tokens * out + cache_creation_input_tokens * inp * CACHE_WRITE_FACTOR
            + cache_read_input_tokens * inp * CACHE_READ_FACTOR) / 1_000_000
    return round(cost, 6)
