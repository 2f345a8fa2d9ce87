-- Every Data API response exactly as it came, so any partition can be audited or rebuilt
-- without spending an API request. Written in the same transaction as the rows it produced.
-- The request columns come last (v2), so a migrated v1 file and a fresh one agree on the order.
CREATE TABLE IF NOT EXISTS raw_responses (
    requested_start DATE        NOT NULL,
    requested_end   DATE        NOT NULL,
    meta_start_date DATE        NOT NULL,
    meta_end_date   DATE        NOT NULL,
    as_of           VARCHAR     NOT NULL,  -- meta.as_of verbatim, as the citation quotes it
    version         VARCHAR     NOT NULL,
    row_count       INTEGER     NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR,
    body            VARCHAR     NOT NULL,
    dataset         VARCHAR     NOT NULL,  -- the registry dataset whose request it was
    endpoint        VARCHAR     NOT NULL,  -- the path asked, e.g. '/datasets/rankings-daily'
    params          VARCHAR     NOT NULL   -- every query parameter sent, canonical JSON
);
