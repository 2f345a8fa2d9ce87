"""The attribution OpenRouter's licence requires wherever the data is republished."""

from __future__ import annotations

CITATION_TEMPLATE = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
LICENCE_LINE = "Licensed under CC BY 4.0."


def citation(as_of: str) -> str:
    """``Source: OpenRouter (openrouter.ai/rankings), as of {as_of}.``"""
    return CITATION_TEMPLATE.format(as_of=as_of)
