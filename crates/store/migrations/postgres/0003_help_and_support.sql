-- Operators see every support request; customers only their own.
ALTER TABLE users ADD COLUMN is_operator BIGINT NOT NULL DEFAULT 0;

-- "Was this helpful?" answers from the help pane, with the words the customer used.
CREATE TABLE help_feedback (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    query        TEXT NOT NULL,
    locale       TEXT NOT NULL,
    article_path TEXT NOT NULL,
    helpful      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX help_feedback_created ON help_feedback (created_at DESC);

CREATE TABLE support_requests (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    subject     TEXT NOT NULL,
    description TEXT NOT NULL,
    severity    TEXT NOT NULL,
    contact     TEXT NOT NULL,
    query       TEXT,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX support_requests_user ON support_requests (user_id, created_at DESC);
CREATE INDEX support_requests_created ON support_requests (created_at DESC);
