-- market_daily for the days $1..$2, from model_share_daily (and rankings_daily's as_of).
SELECT
    s.date,
    sum(s.total_tokens)::BIGINT AS total_tokens,
    coalesce(sum(s.total_tokens) FILTER (WHERE s.rank IS NOT NULL), 0)::BIGINT AS top50_tokens,
    coalesce(sum(s.total_tokens) FILTER (WHERE s.rank IS NULL), 0)::BIGINT AS other_tokens,
    (sum(s.total_tokens) FILTER (WHERE s.rank IS NOT NULL))::DOUBLE
        / sum(s.total_tokens)::DOUBLE AS top50_share,
    count(*) FILTER (WHERE s.rank IS NOT NULL) AS models_ranked,
    sum(s.share_of_day * s.share_of_day) FILTER (WHERE s.rank IS NOT NULL) AS hhi,
    min_by(s.model_permaslug, s.rank) AS top_model,
    min_by(s.share_of_day, s.rank) AS top_model_share,
    (SELECT max(r.as_of) FROM rankings_daily AS r WHERE r.date = s.date) AS as_of
FROM model_share_daily AS s
WHERE s.date BETWEEN $1 AND $2
GROUP BY s.date
