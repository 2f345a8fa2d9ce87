"""The OpenRouter Data API, client side and without Dagster: strict decoding of response
bodies, each endpoint's parser, and ``raw_responses``, where every body is kept as received."""
