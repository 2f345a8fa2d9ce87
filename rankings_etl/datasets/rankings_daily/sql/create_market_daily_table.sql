-- One row per day: size and concentration of the market; written by the market_daily asset.
CREATE TABLE IF NOT EXISTS market_daily (
    date            DATE        NOT NULL,
    total_tokens    BIGINT      NOT NULL,
    top50_tokens    BIGINT      NOT NULL,
    other_tokens    BIGINT      NOT NULL,
    top50_share     DOUBLE      NOT NULL,
    models_ranked   INTEGER     NOT NULL,
    hhi             DOUBLE      NOT NULL,  -- sum of squared share_of_day over ranked models
    top_model       VARCHAR     NOT NULL,
    top_model_share DOUBLE      NOT NULL,
    as_of           TIMESTAMPTZ NOT NULL
);
