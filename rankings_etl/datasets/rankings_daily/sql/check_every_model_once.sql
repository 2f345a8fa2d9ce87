-- (date, model) pairs of rankings_daily ($1..$2) not present exactly once in new_rows.
WITH expected AS (
    SELECT date, model_permaslug FROM rankings_daily WHERE date BETWEEN $1 AND $2
),
got AS (
    SELECT date, model_permaslug, count(*) AS copies FROM new_rows GROUP BY ALL
)
SELECT
    coalesce(e.date, g.date) AS date,
    coalesce(e.model_permaslug, g.model_permaslug) || ' appears '
        || coalesce(g.copies, 0) || ' time(s)' AS problem
FROM expected AS e
FULL JOIN got AS g USING (date, model_permaslug)
WHERE e.model_permaslug IS NULL OR g.copies IS NULL OR g.copies <> 1
