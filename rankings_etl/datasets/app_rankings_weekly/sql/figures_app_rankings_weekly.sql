-- Each loaded week of $1..$2: what its materialization shows (one row per week, `date` = the
-- Monday): rows, each sort's rows, the most popular app and its share of the top 100's tokens,
-- the fastest-trending app, and the newest meta.as_of (which the citation quotes).
SELECT
    week_start AS date,
    count(*) AS rows,
    count(*) FILTER (WHERE sort = 'popular') AS popular_rows,
    count(*) FILTER (WHERE sort = 'trending') AS trending_rows,
    min_by(app_name, rank) FILTER (WHERE sort = 'popular') AS top_popular_app,
    (min_by(total_tokens, rank) FILTER (WHERE sort = 'popular'))::DOUBLE
        / nullif(sum(total_tokens) FILTER (WHERE sort = 'popular'), 0)::DOUBLE
        AS top_popular_share_of_top100,
    sum(total_tokens) FILTER (WHERE sort = 'popular') AS popular_top100_tokens,
    min_by(app_name, rank) FILTER (WHERE sort = 'trending') AS top_trending_app,
    max(as_of) AS as_of
FROM app_rankings_weekly
WHERE week_start BETWEEN $1 AND $2
GROUP BY week_start
ORDER BY week_start
