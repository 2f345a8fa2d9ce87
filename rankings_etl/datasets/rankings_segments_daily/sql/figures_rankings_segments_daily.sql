-- Each day of $1..$2 in rankings_segments_daily: the figures its partition shows.
SELECT date, count(*) AS rows,
    count(DISTINCT segment_type || '=' || segment) AS segments,
    max_by(model_permaslug, total_tokens) FILTER (
        WHERE segment_type = 'modality' AND segment = 'tool_calling' AND rank IS NOT NULL
    ) AS top_tool_calling_model,
    max(as_of) AS as_of
FROM rankings_segments_daily
WHERE date BETWEEN $1 AND $2
GROUP BY date ORDER BY date
