-- Days of $1..$2 where a segment's tokens (the incoming rows) exceed the whole day's in
-- rankings_daily: a segment is a subset of the day's traffic. A day rankings_daily has not
-- loaded cannot be bounded: reported at WARN. Rows: (date, severity, problem).
WITH seg AS (
    SELECT date, segment_type, segment, sum(total_tokens) AS seg_tokens
    FROM incoming_segments WHERE date BETWEEN $1 AND $2 GROUP BY ALL
),
day AS (
    SELECT date, sum(total_tokens) AS day_tokens
    FROM rankings_daily WHERE date BETWEEN $1 AND $2 GROUP BY date
)
SELECT s.date, 'ERROR' AS severity,
    s.segment_type || '=' || s.segment || ': ' || s.seg_tokens || ' tokens, above the day''s '
        || d.day_tokens || ' in rankings_daily' AS problem
FROM seg AS s JOIN day AS d USING (date)
WHERE s.seg_tokens > d.day_tokens
UNION ALL
SELECT DISTINCT s.date, 'WARN',
    'rankings_daily has no rows for this day: bound not checked'
FROM seg AS s ANTI JOIN day AS d USING (date)
ORDER BY 1, 3
