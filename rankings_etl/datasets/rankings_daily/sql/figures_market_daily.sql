-- Each day of $1..$2 in market_daily: the figures its partition shows (its as_of is the rankings_daily day's).
SELECT date, 1 AS rows, total_tokens, models_ranked, top_model, top_model_share, hhi,
    top50_share, as_of
FROM market_daily WHERE date BETWEEN $1 AND $2 ORDER BY date
