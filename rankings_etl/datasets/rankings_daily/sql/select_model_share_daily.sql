-- model_share_daily for the days $1..$2. Day totals are exact integer sums (HUGEINT) and each
-- share is one division, so share_of_day equals tokens / day total to double precision.
-- permaslug_author is the macro of warehouse/sql/create_permaslug_macros.sql.
WITH days AS (
    SELECT
        date,
        sum(total_tokens) AS day_tokens,
        sum(total_tokens) FILTER (WHERE model_permaslug <> 'other') AS top50_tokens
    FROM rankings_daily
    WHERE date BETWEEN $1 AND $2
    GROUP BY date
)
SELECT
    r.date,
    r.model_permaslug,
    permaslug_author(r.model_permaslug) AS author,
    CASE
        WHEN position(':' IN r.model_permaslug) > 0
        THEN substr(r.model_permaslug, position(':' IN r.model_permaslug) + 1)
    END AS variant,
    r.rank,
    r.total_tokens,
    r.total_tokens::DOUBLE / d.day_tokens::DOUBLE AS share_of_day,
    CASE
        WHEN r.model_permaslug <> 'other' THEN r.total_tokens::DOUBLE / d.top50_tokens::DOUBLE
    END AS share_of_top50
FROM rankings_daily AS r
JOIN days AS d USING (date)
WHERE r.date BETWEEN $1 AND $2
