-- Day-over-day and week-over-week movement of each ranked model; written by model_growth_daily.
CREATE TABLE IF NOT EXISTS model_growth_daily (
    date            DATE    NOT NULL,
    model_permaslug VARCHAR NOT NULL,
    rank            INTEGER NOT NULL,
    total_tokens    BIGINT  NOT NULL,
    prev_day_tokens BIGINT,
    dod_growth      DOUBLE,
    tokens_7d_ago   BIGINT,
    wow_growth      DOUBLE,
    avg_7d_tokens   DOUBLE  NOT NULL,
    rank_prev_day   INTEGER,
    rank_change     INTEGER,   -- rank_prev_day - rank: positive means it climbed
    share_change_pp DOUBLE,
    is_new_entry    BOOLEAN
);
