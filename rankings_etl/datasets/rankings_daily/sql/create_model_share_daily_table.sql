-- Each model's share of its day; written by the model_share_daily asset.
CREATE TABLE IF NOT EXISTS model_share_daily (
    date            DATE    NOT NULL,
    model_permaslug VARCHAR NOT NULL,
    author          VARCHAR,           -- text before `/`; NULL for `other`
    variant         VARCHAR,           -- text after `:`; NULL if none
    rank            INTEGER,           -- NULL for `other`
    total_tokens    BIGINT  NOT NULL,
    share_of_day    DOUBLE  NOT NULL,  -- tokens / all tokens of the day (`other` included)
    share_of_top50  DOUBLE             -- tokens / top-50 tokens; NULL for `other`
);
