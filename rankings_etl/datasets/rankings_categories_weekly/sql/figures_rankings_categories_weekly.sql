-- Each week of $1..$2 in rankings_categories_weekly (keyed by its Monday): the figures its
-- partition shows. Estimates: the leader is by estimated tokens.
SELECT week_start AS date, count(*) AS rows,
    count(DISTINCT dimension || '=' || value) AS values_ranked,
    max_by(model_permaslug, total_tokens_estimate) FILTER (
        WHERE dimension = 'category' AND value = 'programming' AND rank IS NOT NULL
    ) AS top_programming_model,
    max(as_of) AS as_of
FROM rankings_categories_weekly
WHERE week_start BETWEEN $1 AND $2
GROUP BY week_start ORDER BY week_start
