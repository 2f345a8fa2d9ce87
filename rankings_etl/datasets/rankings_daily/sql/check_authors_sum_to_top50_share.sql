-- Days whose author shares do not add up to the ranked models' share (within 1e-12).
WITH ranked AS (
    SELECT date, sum(share_of_day) AS top50_share
    FROM model_share_daily
    WHERE date BETWEEN $1 AND $2 AND rank IS NOT NULL AND author IS NOT NULL
    GROUP BY date
),
authors AS (
    SELECT date, sum(share_of_day) AS author_share FROM new_rows GROUP BY date
)
SELECT date, 'authors sum to ' || printf('%.17g', author_share)
    || ', ranked models to ' || printf('%.17g', top50_share) AS problem
FROM ranked
FULL JOIN authors USING (date)
WHERE author_share IS NULL OR top50_share IS NULL OR abs(author_share - top50_share) > 1e-12
