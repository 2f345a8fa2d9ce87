CREATE TABLE IF NOT EXISTS model_segment_share_daily (
    date                 DATE    NOT NULL,
    segment_type         VARCHAR NOT NULL,
    segment              VARCHAR NOT NULL,
    model_permaslug      VARCHAR NOT NULL,
    author               VARCHAR,          -- text before `/`; NULL for `other`
    rank                 INTEGER,
    total_tokens         BIGINT  NOT NULL,
    share_of_segment     DOUBLE  NOT NULL, -- tokens / the segment-day's tokens (`other` included): a segment-day sums to 1
    segment_share_of_day DOUBLE            -- the segment-day's tokens / that day's rankings_daily total; NULL if the day is not loaded
)
