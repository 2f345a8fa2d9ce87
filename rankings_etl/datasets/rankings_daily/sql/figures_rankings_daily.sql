-- Each day of $1..$2 in rankings_daily: the figures its partition shows ($3: when this run's write began, so restated_rows counts this run's restatements).
WITH restated AS (
    SELECT date, count(*) AS restated_rows FROM rankings_restatements
    WHERE date BETWEEN $1 AND $2 AND detected_at >= $3 GROUP BY date
),
days AS (
    SELECT date, count(*) AS rows, sum(total_tokens) AS day_tokens,
        count(*) FILTER (WHERE rank IS NOT NULL) AS models_ranked,
        min_by(model_permaslug, rank) AS top_model,
        min_by(total_tokens, rank) AS top_tokens,
        sum(total_tokens::DOUBLE * total_tokens::DOUBLE)
            FILTER (WHERE rank IS NOT NULL) AS ranked_squares,
        max(as_of) AS as_of
    FROM rankings_daily WHERE date BETWEEN $1 AND $2 GROUP BY date
)
SELECT d.date, d.rows, d.day_tokens::BIGINT AS total_tokens, d.models_ranked,
    d.top_model, d.top_tokens / d.day_tokens::DOUBLE AS top_model_share,
    d.ranked_squares / (d.day_tokens::DOUBLE * d.day_tokens::DOUBLE) AS hhi,
    coalesce(s.restated_rows, 0) AS restated_rows,
    d.as_of
FROM days AS d LEFT JOIN restated AS s USING (date)
ORDER BY d.date
