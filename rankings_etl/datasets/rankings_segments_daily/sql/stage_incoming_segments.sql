-- A run's rows as the temporary table `incoming_segments`, from eight parallel list parameters
-- ($1..$8: date, segment_type, segment, model_permaslug, rank, total_tokens, as_of, fetched_at),
-- in rankings_segments_daily's types. DuckDB unnests lists in the same SELECT side by side.
CREATE OR REPLACE TEMP TABLE incoming_segments AS
SELECT
    unnest($1::DATE[]) AS date,
    unnest($2::VARCHAR[]) AS segment_type,
    unnest($3::VARCHAR[]) AS segment,
    unnest($4::VARCHAR[]) AS model_permaslug,
    unnest($5::INTEGER[]) AS rank,
    unnest($6::BIGINT[]) AS total_tokens,
    unnest($7::TIMESTAMPTZ[]) AS as_of,
    unnest($8::TIMESTAMPTZ[]) AS fetched_at
