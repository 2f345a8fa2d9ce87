-- raw_responses v1 -> v2, transaction 1 of 2 (idempotent): the request columns, filled for the
-- rows of v1. Every v1 body was a rankings-daily answer to exactly
-- start_date=requested_start&end_date=requested_end, so the backfill is exact; params is the
-- canonical JSON of ApiRequest.params_json() (sorted keys, no spaces).
ALTER TABLE raw_responses ADD COLUMN IF NOT EXISTS dataset VARCHAR DEFAULT 'rankings_daily';
ALTER TABLE raw_responses ADD COLUMN IF NOT EXISTS endpoint VARCHAR DEFAULT '/datasets/rankings-daily';
ALTER TABLE raw_responses ADD COLUMN IF NOT EXISTS params VARCHAR;
UPDATE raw_responses
SET params = json_object(
    'end_date', strftime(requested_end, '%Y-%m-%d'),
    'start_date', strftime(requested_start, '%Y-%m-%d')
)
WHERE params IS NULL;
