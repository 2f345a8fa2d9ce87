-- Days of new_rows whose shares do not sum to 1 (within 1e-12).
SELECT date, 'shares sum to ' || printf('%.17g', sum(share_of_day)) AS problem
FROM new_rows
WHERE date BETWEEN $1 AND $2
GROUP BY date
HAVING abs(sum(share_of_day) - 1) > 1e-12
