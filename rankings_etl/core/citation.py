"""The attribution OpenRouter's licence requires wherever the data is republished."""

from __future__ import annotations

CITATION_TEMPLATE = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
LICENCE_LINE = "Licensed under CC BY 4.0."


def citation(as_of: str) -> str:
    """``Source: OpenRouter (openrouter.ai/rankings), as of {as_of}.``"""
    return CITATION_TEMPLATE.format(as_of=as_of)


def citation_text(as_of: str) -> str:
    """The CITATION.txt published beside every export."""
    return (
        f"{citation(as_of)}\n{LICENCE_LINE}\n"
        "https://creativecommons.org/licenses/by/4.0/\n"
        f"as_of: {as_of}\n"
        "Exported by rankings_etl from OpenRouter's rankings-daily Data API.\n"
    )
