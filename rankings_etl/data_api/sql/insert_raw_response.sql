-- One response body as received, with the request it answered (raw_responses v2).
INSERT INTO raw_responses (
    requested_start, requested_end, meta_start_date, meta_end_date, as_of, version, row_count,
    fetched_at, run_id, body, dataset, endpoint, params
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);
