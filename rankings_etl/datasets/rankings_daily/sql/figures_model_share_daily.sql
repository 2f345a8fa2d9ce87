-- Each day of $1..$2 in model_share_daily: the figures its partition shows; as_of is the rankings_daily day's it was computed from.
SELECT s.date, count(*) AS rows,
    min_by(s.model_permaslug, s.rank) AS top_model,
    min_by(s.share_of_day, s.rank) AS top_model_share,
    coalesce(sum(s.share_of_day) FILTER (WHERE s.rank IS NULL), 0) AS other_share,
    max(r.as_of) AS as_of
FROM model_share_daily AS s
JOIN (SELECT date, max(as_of) AS as_of FROM rankings_daily
      WHERE date BETWEEN $1 AND $2 GROUP BY date) AS r USING (date)
WHERE s.date BETWEEN $1 AND $2 GROUP BY s.date ORDER BY s.date
