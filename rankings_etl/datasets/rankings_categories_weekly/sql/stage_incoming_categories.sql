-- A run's rows as the temporary table `incoming_categories`, from eight parallel list
-- parameters ($1..$8: week_start, dimension, value, model_permaslug, rank,
-- total_tokens_estimate, as_of, fetched_at), in rankings_categories_weekly's types.
CREATE OR REPLACE TEMP TABLE incoming_categories AS
SELECT
    unnest($1::DATE[]) AS week_start,
    unnest($2::VARCHAR[]) AS dimension,
    unnest($3::VARCHAR[]) AS value,
    unnest($4::VARCHAR[]) AS model_permaslug,
    unnest($5::INTEGER[]) AS rank,
    unnest($6::BIGINT[]) AS total_tokens_estimate,
    unnest($7::TIMESTAMPTZ[]) AS as_of,
    unnest($8::TIMESTAMPTZ[]) AS fetched_at
