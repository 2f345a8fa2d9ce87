"""The attribution OpenRouter's licence requires wherever the data is republished.

Each dataset cites the page of openrouter.ai that shows it: the model rankings
(``openrouter.ai/rankings``) or the app rankings (``openrouter.ai/apps``).
"""

from __future__ import annotations

from rankings_etl.core.api_facts import RANKINGS_PAGE

CITATION_TEMPLATE = "Source: OpenRouter (openrouter.ai/{page}), as of {as_of}."
LICENCE_LINE = "Licensed under CC BY 4.0."


def citation(as_of: str, page: str = RANKINGS_PAGE) -> str:
    """``Source: OpenRouter (openrouter.ai/rankings), as of {as_of}.`` (or ``.../apps``)."""
    return CITATION_TEMPLATE.format(page=page, as_of=as_of)


def citation_text(as_of: str) -> str:
    """The CITATION.txt published beside every export."""
    return (
        f"{citation(as_of)}\n{LICENCE_LINE}\n"
        "https://creativecommons.org/licenses/by/4.0/\n"
        f"as_of: {as_of}\n"
        "Exported by rankings_etl from OpenRouter's rankings-daily Data API.\n"
    )
