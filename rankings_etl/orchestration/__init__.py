"""Dagster glue shared by every dataset: names, partitions, check results, metadata, failures,
automation, the derived-table asset factory, the schedule and freshness."""
