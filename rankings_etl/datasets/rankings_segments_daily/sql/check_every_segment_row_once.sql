-- (date, segment, model) rows of rankings_segments_daily ($1..$2) not present exactly once in
-- new_rows.
WITH expected AS (
    SELECT date, segment_type, segment, model_permaslug
    FROM rankings_segments_daily WHERE date BETWEEN $1 AND $2
),
got AS (
    SELECT date, segment_type, segment, model_permaslug, count(*) AS copies
    FROM new_rows GROUP BY ALL
)
SELECT
    coalesce(e.date, g.date) AS date,
    coalesce(e.segment_type, g.segment_type) || '=' || coalesce(e.segment, g.segment) || ': '
        || coalesce(e.model_permaslug, g.model_permaslug) || ' appears '
        || coalesce(g.copies, 0) || ' time(s)' AS problem
FROM expected AS e
FULL JOIN got AS g USING (date, segment_type, segment, model_permaslug)
WHERE e.model_permaslug IS NULL OR g.copies IS NULL OR g.copies <> 1
ORDER BY ALL
