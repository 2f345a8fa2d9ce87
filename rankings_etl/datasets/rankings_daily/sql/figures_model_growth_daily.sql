-- Each day of $1..$2 in model_growth_daily: the figures its partition shows; as_of is the rankings_daily day's it was computed from.
SELECT g.date, count(*) AS rows,
    count(*) FILTER (WHERE g.is_new_entry) AS new_entries,
    max_by(g.model_permaslug, g.rank_change) AS biggest_climber,
    max(g.rank_change) AS biggest_climb,
    max(r.as_of) AS as_of
FROM model_growth_daily AS g
JOIN (SELECT date, max(as_of) AS as_of FROM rankings_daily
      WHERE date BETWEEN $1 AND $2 GROUP BY date) AS r USING (date)
WHERE g.date BETWEEN $1 AND $2 GROUP BY g.date ORDER BY g.date
