-- author_share_daily for the days $1..$2: ranked models only (`other` is not an author), so a
-- day's authors sum to its top50_share. Shares divide exact integer sums once.
WITH days AS (
    SELECT date, sum(total_tokens) AS day_tokens
    FROM model_share_daily
    WHERE date BETWEEN $1 AND $2
    GROUP BY date
),
authors AS (
    SELECT date, author, count(*) AS models, sum(total_tokens) AS author_tokens
    FROM model_share_daily
    WHERE date BETWEEN $1 AND $2 AND rank IS NOT NULL AND author IS NOT NULL
    GROUP BY date, author
)
SELECT
    a.date,
    a.author,
    a.models,
    a.author_tokens::BIGINT AS total_tokens,
    a.author_tokens::DOUBLE / d.day_tokens::DOUBLE AS share_of_day,
    row_number() OVER (PARTITION BY a.date ORDER BY a.author_tokens DESC, a.author) AS rank
FROM authors AS a
JOIN days AS d USING (date)
