-- model_segment_share_daily for the days $1..$2. Segment-day and day totals are exact integer
-- sums (HUGEINT) and each share is one division, so share_of_segment equals tokens / the
-- segment-day's total to double precision (as select_model_share_daily.sql does for a day).
-- permaslug_author is the macro of warehouse/sql/create_permaslug_macros.sql.
WITH seg AS (
    SELECT date, segment_type, segment, sum(total_tokens) AS seg_tokens
    FROM rankings_segments_daily
    WHERE date BETWEEN $1 AND $2
    GROUP BY ALL
),
day AS (
    SELECT date, sum(total_tokens) AS day_tokens
    FROM rankings_daily
    WHERE date BETWEEN $1 AND $2
    GROUP BY date
)
SELECT
    s.date,
    s.segment_type,
    s.segment,
    s.model_permaslug,
    permaslug_author(s.model_permaslug) AS author,
    s.rank,
    s.total_tokens,
    s.total_tokens::DOUBLE / g.seg_tokens::DOUBLE AS share_of_segment,
    g.seg_tokens::DOUBLE / d.day_tokens::DOUBLE AS segment_share_of_day
FROM rankings_segments_daily AS s
JOIN seg AS g USING (date, segment_type, segment)
LEFT JOIN day AS d USING (date)
WHERE s.date BETWEEN $1 AND $2
