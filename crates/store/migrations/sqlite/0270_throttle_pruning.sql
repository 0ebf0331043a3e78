-- The janitor forgets throttle rows whose window has passed (they count as no failures at all);
-- this index keeps that sweep from reading the whole table.
CREATE INDEX attempt_throttles_last_at ON attempt_throttles (last_at);
