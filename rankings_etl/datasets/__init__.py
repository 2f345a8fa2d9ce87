"""One folder per dataset of the Data API: its tables, checks, load and rebuild (no Dagster)."""
