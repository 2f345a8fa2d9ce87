"""Names shared across the project's Dagster objects (see shared/CONTRACT.md)."""

GROUP = "openrouter"
#: Steps that call the OpenRouter API queue on this pool (limit in dagster.yaml).
OPENROUTER_POOL = "openrouter_api"
OWNERS = ["team:data-engineering"]
