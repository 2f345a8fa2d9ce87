-- A run's rows as the temporary table `incoming_app_rankings`, from nine parallel list
-- parameters ($1..$9, in app_rankings_weekly's column order and types). DuckDB unnests lists
-- in the same SELECT side by side, so row i takes element i of each.
CREATE OR REPLACE TEMP TABLE incoming_app_rankings AS
SELECT
    unnest($1::DATE[]) AS week_start,
    unnest($2::VARCHAR[]) AS sort,
    unnest($3::INTEGER[]) AS rank,
    unnest($4::BIGINT[]) AS app_id,
    unnest($5::VARCHAR[]) AS app_name,
    unnest($6::BIGINT[]) AS total_requests,
    unnest($7::BIGINT[]) AS total_tokens,
    unnest($8::TIMESTAMPTZ[]) AS as_of,
    unnest($9::TIMESTAMPTZ[]) AS fetched_at
