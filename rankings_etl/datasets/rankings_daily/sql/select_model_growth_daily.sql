-- model_growth_daily for the days $1..$2. Reads rankings_daily for $1 - 7 .. $2 only, so one
-- new day costs the same however long the history. A day "not loaded" has no rows at all; a
-- model "not ranked" on a loaded day has no row that day: both give NULL comparisons.
WITH source AS (
    SELECT
        date,
        model_permaslug,
        rank,
        total_tokens,
        total_tokens::DOUBLE / (sum(total_tokens) OVER (PARTITION BY date))::DOUBLE AS share_of_day
    FROM rankings_daily
    WHERE date BETWEEN $1::DATE - 7 AND $2
),
loaded AS (
    SELECT DISTINCT date FROM source
),
ranked AS (
    SELECT
        *,
        avg(total_tokens) OVER (
            PARTITION BY model_permaslug ORDER BY date
            RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW
        ) AS avg_7d_tokens
    FROM source
    WHERE model_permaslug <> 'other'
)
SELECT
    cur.date,
    cur.model_permaslug,
    cur.rank,
    cur.total_tokens,
    prev.total_tokens AS prev_day_tokens,
    cur.total_tokens::DOUBLE / prev.total_tokens::DOUBLE - 1 AS dod_growth,
    week.total_tokens AS tokens_7d_ago,
    cur.total_tokens::DOUBLE / week.total_tokens::DOUBLE - 1 AS wow_growth,
    cur.avg_7d_tokens,
    prev.rank AS rank_prev_day,
    prev.rank - cur.rank AS rank_change,
    (cur.share_of_day - prev.share_of_day) * 100 AS share_change_pp,
    CASE
        WHEN prev_loaded.date IS NULL THEN NULL
        ELSE prev.model_permaslug IS NULL
    END AS is_new_entry
FROM ranked AS cur
LEFT JOIN ranked AS prev
    ON prev.model_permaslug = cur.model_permaslug AND prev.date = cur.date - 1
LEFT JOIN ranked AS week
    ON week.model_permaslug = cur.model_permaslug AND week.date = cur.date - 7
LEFT JOIN loaded AS prev_loaded
    ON prev_loaded.date = cur.date - 1
WHERE cur.date BETWEEN $1 AND $2
