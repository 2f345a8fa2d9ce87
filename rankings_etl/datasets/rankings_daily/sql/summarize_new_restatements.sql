-- Restatements recorded by the current transaction: now() is the transaction's start time,
-- which insert_rankings_restatements.sql stamped as detected_at.
SELECT
    count(*) AS restated_rows,
    max(abs(new_total_tokens::DOUBLE / nullif(old_total_tokens, 0) - 1)) AS max_relative_change
FROM rankings_restatements
WHERE detected_at = now();
