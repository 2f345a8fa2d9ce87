-- Rows whose total_tokens changed when a loaded date was fetched again (late revisions).
CREATE TABLE IF NOT EXISTS rankings_restatements (
    date             DATE        NOT NULL,
    model_permaslug  VARCHAR     NOT NULL,
    old_total_tokens BIGINT      NOT NULL,
    new_total_tokens BIGINT      NOT NULL,
    old_as_of        TIMESTAMPTZ NOT NULL,
    new_as_of        TIMESTAMPTZ NOT NULL,
    detected_at      TIMESTAMPTZ NOT NULL
);
