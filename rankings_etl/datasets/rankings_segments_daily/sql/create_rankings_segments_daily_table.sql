CREATE TABLE IF NOT EXISTS rankings_segments_daily (
    date            DATE        NOT NULL,
    segment_type    VARCHAR     NOT NULL,   -- 'modality' | 'context_bucket'
    segment         VARCHAR     NOT NULL,   -- 'text', 'tool_calling', '1M', ...
    model_permaslug VARCHAR     NOT NULL,
    rank            INTEGER,                -- 1..50 within (date, segment_type, segment) in API order; NULL for `other`
    total_tokens    BIGINT      NOT NULL,
    as_of           TIMESTAMPTZ NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL
)
