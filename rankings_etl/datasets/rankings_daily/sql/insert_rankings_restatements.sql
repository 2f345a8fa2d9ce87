-- Before a date range is replaced: record every loaded row whose tokens the new fetch changed.
-- $1, $2: the range being replaced; `incoming`: the rows about to be written.
INSERT INTO rankings_restatements
SELECT
    loaded.date,
    loaded.model_permaslug,
    loaded.total_tokens AS old_total_tokens,
    incoming.total_tokens AS new_total_tokens,
    loaded.as_of AS old_as_of,
    incoming.as_of AS new_as_of,
    now() AS detected_at
FROM rankings_daily AS loaded
JOIN incoming
    ON incoming.date = loaded.date AND incoming.model_permaslug = loaded.model_permaslug
WHERE loaded.date BETWEEN $1 AND $2
  AND loaded.total_tokens <> incoming.total_tokens;
