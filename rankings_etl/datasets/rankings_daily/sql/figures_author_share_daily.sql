-- Each day of $1..$2 in author_share_daily: the figures its partition shows; as_of is the rankings_daily day's it was computed from.
SELECT a.date, count(*) AS rows,
    min_by(a.author, a.rank) AS top_author,
    min_by(a.share_of_day, a.rank) AS top_author_share,
    max(r.as_of) AS as_of
FROM author_share_daily AS a
JOIN (SELECT date, max(as_of) AS as_of FROM rankings_daily
      WHERE date BETWEEN $1 AND $2 GROUP BY date) AS r USING (date)
WHERE a.date BETWEEN $1 AND $2 GROUP BY a.date ORDER BY a.date
