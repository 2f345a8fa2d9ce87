"""Names shared across the project's Dagster objects. They are public: the README sends users
to the ``openrouter`` group and ``dagster.yaml`` limits the ``openrouter_api`` pool."""

GROUP = "openrouter"
#: Steps that call the OpenRouter API queue on this pool (limit in dagster.yaml).
OPENROUTER_POOL = "openrouter_api"
OWNERS = ["team:data-engineering"]
