-- Loaded days ($1..$2) without exactly one market_daily row in new_rows.
WITH expected AS (
    SELECT DISTINCT date FROM rankings_daily WHERE date BETWEEN $1 AND $2
),
got AS (
    SELECT date, count(*) AS copies FROM new_rows GROUP BY date
)
SELECT coalesce(e.date, g.date) AS date, coalesce(g.copies, 0) || ' market row(s)' AS problem
FROM expected AS e
FULL JOIN got AS g USING (date)
WHERE e.date IS NULL OR g.copies IS NULL OR g.copies <> 1
