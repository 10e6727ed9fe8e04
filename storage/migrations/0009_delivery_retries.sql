-- A broadcast recipient whose send failed (network, 5xx, or their own chat's 429) waits
-- until retry_at: a short outage is ridden out instead of spending every attempt at once.
ALTER TABLE deliveries ADD COLUMN retry_at INTEGER;  -- Unix seconds, UTC; NULL: now
