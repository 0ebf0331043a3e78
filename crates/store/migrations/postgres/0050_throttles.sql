-- Attempts counted before they are checked (sign-in per e-mail and per client address): one
-- row per key, locked while an attempt is admitted, so concurrent attempts see distinct counts.
CREATE TABLE attempt_throttles (
    throttle_key TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    next_at      BIGINT NOT NULL
);

-- Replaced by attempt_throttles; the audit log keeps every failed sign-in with its address.
DROP TABLE sign_in_failures;

-- Help feedback is rate-limited per user.
CREATE INDEX help_feedback_user ON help_feedback (user_id, created_at);
