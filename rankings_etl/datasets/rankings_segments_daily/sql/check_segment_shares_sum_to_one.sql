-- Segment-days of new_rows whose share_of_segment does not sum to 1 (within 1e-12).
SELECT date,
    segment_type || '=' || segment || ': shares sum to '
        || printf('%.17g', sum(share_of_segment)) AS problem
FROM new_rows
WHERE date BETWEEN $1 AND $2
GROUP BY date, segment_type, segment
HAVING abs(sum(share_of_segment) - 1) > 1e-12
ORDER BY ALL
