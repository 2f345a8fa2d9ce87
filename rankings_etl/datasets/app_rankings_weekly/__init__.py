"""OpenRouter's app rankings, one ISO week per partition: ``app_rankings_weekly``."""
