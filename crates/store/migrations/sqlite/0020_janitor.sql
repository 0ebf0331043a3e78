-- The janitor: payments and settlements whose outcome is in doubt (processing, unknown,
-- requires_action) are looked up at the gateway on a schedule that backs off. `next_check_at`
-- (Unix millis) is when the next look is due (NULL: as soon as possible); `check_attempts`
-- counts the looks so far. A node that claims a row moves `next_check_at` forward first, so
-- other nodes leave it alone while it asks the gateway.
ALTER TABLE payments ADD COLUMN next_check_at BIGINT;
ALTER TABLE payments ADD COLUMN check_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlements ADD COLUMN next_check_at BIGINT;
ALTER TABLE settlements ADD COLUMN check_attempts BIGINT NOT NULL DEFAULT 0;
CREATE INDEX payments_janitor ON payments (next_check_at) WHERE state IN ('processing', 'unknown', 'requires_action');
CREATE INDEX settlements_janitor ON settlements (next_check_at) WHERE state IN ('processing', 'unknown', 'requires_action');
