"""The DuckDB warehouse, without Dagster: connections, the project's SQL files, the schema, the
one write path every table uses and the one build function of the derived tables.

- :mod:`.connection`: ``open_warehouse`` (read-write, schema in place) and small queries;
- :mod:`.sql`: ``load_sql(package, name)``, the statements kept in a package's ``sql/`` folder;
- :mod:`.schema`: ``ensure_schema(con, tables)``, every ``create_*_table.sql`` and the
  migration of an older ``raw_responses``;
- :mod:`.writes`: ``transaction`` and ``replace_date_range`` (delete-then-insert of a range);
- :mod:`.build`: ``build_table``, a derived table recomputed and checked in one transaction;
- :mod:`.table_spec`: what a table is (its checks, for now).
"""
