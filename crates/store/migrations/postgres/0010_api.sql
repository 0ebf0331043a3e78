-- Personal access tokens for the JSON API. Only a SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    -- 1 for operator tokens: they act on the operator API, not with a user's billing roles.
    is_operator BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Idempotency keys (Stripe's contract): the first response is stored and replayed for the same
-- key and caller; the same key with other parameters is refused.
CREATE TABLE idempotency_keys (
    caller          TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    state           TEXT NOT NULL,
    response_status BIGINT,
    response_body   TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
