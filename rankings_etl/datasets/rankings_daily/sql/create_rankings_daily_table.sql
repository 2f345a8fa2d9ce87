-- What the API returned, one row per (date, model_permaslug); written by the rankings_daily asset.
CREATE TABLE IF NOT EXISTS rankings_daily (
    date            DATE        NOT NULL,
    model_permaslug VARCHAR     NOT NULL,
    rank            INTEGER,              -- 1..50 in API order; NULL for `other`
    total_tokens    BIGINT      NOT NULL,
    as_of           TIMESTAMPTZ NOT NULL,  -- meta.as_of of the response these rows came from
    fetched_at      TIMESTAMPTZ NOT NULL
);
