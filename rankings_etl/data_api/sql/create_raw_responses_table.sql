-- Every rankings-daily response exactly as it came, so any partition can be audited or rebuilt
-- without spending an API request. Written in the same transaction as the rows it produced.
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
    body            VARCHAR     NOT NULL
);
