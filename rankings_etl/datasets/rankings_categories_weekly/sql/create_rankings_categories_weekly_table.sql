CREATE TABLE IF NOT EXISTS rankings_categories_weekly (
    week_start            DATE        NOT NULL,  -- ISO week start (Monday, UTC); complete weeks only
    dimension             VARCHAR     NOT NULL,  -- 'category' | 'language_type'
    value                 VARCHAR     NOT NULL,  -- 'programming', 'marketing/seo', 'natural', ...
    model_permaslug       VARCHAR     NOT NULL,
    rank                  INTEGER,               -- NULL for `other`
    total_tokens_estimate BIGINT      NOT NULL,  -- sampled, upsampled ESTIMATE
    as_of                 TIMESTAMPTZ NOT NULL,
    fetched_at            TIMESTAMPTZ NOT NULL
)
