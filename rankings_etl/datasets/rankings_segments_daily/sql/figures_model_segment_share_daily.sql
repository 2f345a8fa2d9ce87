-- Each day of $1..$2 in model_segment_share_daily: the figures its partition shows; as_of is
-- the rankings_segments_daily day's it was computed from.
SELECT s.date, count(*) AS rows,
    max(s.segment_share_of_day) FILTER (
        WHERE s.segment_type = 'modality' AND s.segment = 'tool_calling'
    ) AS tool_calling_share_of_day,
    max(r.as_of) AS as_of
FROM model_segment_share_daily AS s
JOIN (SELECT date, max(as_of) AS as_of FROM rankings_segments_daily
      WHERE date BETWEEN $1 AND $2 GROUP BY date) AS r USING (date)
WHERE s.date BETWEEN $1 AND $2 GROUP BY s.date ORDER BY s.date
