-- A run's rows as the temporary table `incoming`, from six parallel list parameters ($1..$6:
-- date, model_permaslug, rank, total_tokens, as_of, fetched_at), in rankings_daily's types.
-- DuckDB unnests lists in the same SELECT side by side, so row i takes element i of each.
CREATE OR REPLACE TEMP TABLE incoming AS
SELECT
    unnest($1::DATE[]) AS date,
    unnest($2::VARCHAR[]) AS model_permaslug,
    unnest($3::INTEGER[]) AS rank,
    unnest($4::BIGINT[]) AS total_tokens,
    unnest($5::TIMESTAMPTZ[]) AS as_of,
    unnest($6::TIMESTAMPTZ[]) AS fetched_at
