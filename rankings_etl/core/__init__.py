"""Layer 0: one home for each concept shared by the product, the sandbox, the bench and the tests (stdlib only)."""
