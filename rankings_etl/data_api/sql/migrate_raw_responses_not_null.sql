-- raw_responses v1 -> v2, transaction 2 of 2 (idempotent): the request columns become required,
-- and lose the defaults that filled v1's rows, so every new body must say what it answered.
ALTER TABLE raw_responses ALTER COLUMN params SET NOT NULL;
ALTER TABLE raw_responses ALTER COLUMN dataset SET NOT NULL;
ALTER TABLE raw_responses ALTER COLUMN endpoint SET NOT NULL;
ALTER TABLE raw_responses ALTER COLUMN dataset DROP DEFAULT;
ALTER TABLE raw_responses ALTER COLUMN endpoint DROP DEFAULT;
