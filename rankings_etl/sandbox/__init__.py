"""An offline OpenRouter-compatible rankings-daily server, for tests, demos and benchmarks."""
