-- The top apps of each ISO week as OpenRouter's app-rankings API returned them, one row per
-- (week_start, sort, rank); written by the app_rankings_weekly asset.
CREATE TABLE IF NOT EXISTS app_rankings_weekly (
    week_start     DATE        NOT NULL,  -- ISO week start (Monday, UTC); the window is that whole week
    sort           VARCHAR     NOT NULL,  -- 'popular' | 'trending'
    rank           INTEGER     NOT NULL,  -- 1..100, absolute
    app_id         BIGINT      NOT NULL,
    app_name       VARCHAR     NOT NULL,
    total_requests BIGINT      NOT NULL,
    total_tokens   BIGINT      NOT NULL,
    as_of          TIMESTAMPTZ NOT NULL,  -- meta.as_of of the response these rows came from
    fetched_at     TIMESTAMPTZ NOT NULL
);
