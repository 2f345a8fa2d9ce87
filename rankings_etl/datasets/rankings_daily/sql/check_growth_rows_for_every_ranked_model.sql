-- Ranked models of rankings_daily ($1..$2) without exactly one growth row in new_rows.
WITH expected AS (
    SELECT date, model_permaslug
    FROM rankings_daily
    WHERE date BETWEEN $1 AND $2 AND model_permaslug <> 'other'
),
got AS (
    SELECT date, model_permaslug, count(*) AS copies FROM new_rows GROUP BY ALL
)
SELECT
    coalesce(e.date, g.date) AS date,
    coalesce(e.model_permaslug, g.model_permaslug) || ' has '
        || coalesce(g.copies, 0) || ' growth row(s)' AS problem
FROM expected AS e
FULL JOIN got AS g USING (date, model_permaslug)
WHERE e.model_permaslug IS NULL OR g.copies IS NULL OR g.copies <> 1
