-- Ranked models rolled up by author; written by the author_share_daily asset.
CREATE TABLE IF NOT EXISTS author_share_daily (
    date         DATE    NOT NULL,
    author       VARCHAR NOT NULL,
    models       INTEGER NOT NULL,
    total_tokens BIGINT  NOT NULL,
    share_of_day DOUBLE  NOT NULL,
    rank         INTEGER NOT NULL   -- by tokens, ties by author
);
