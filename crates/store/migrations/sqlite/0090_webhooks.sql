-- Webhook endpoints: an account's (its owners register them) or the operator's (no account:
-- every account's events). The signing secret is kept as given to its owner, since every
-- delivery is signed with it; after a rotation the previous one also signs until it expires.
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    billing_account_id    TEXT REFERENCES billing_accounts (id),
    url                   TEXT NOT NULL,
    event_types           TEXT NOT NULL,
    enabled               BIGINT NOT NULL,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until BIGINT,
    disabled_reason       TEXT,
    created_at            BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (billing_account_id);

-- Every attempt of a delivery: when, the HTTP status (none when there was no answer), how long
-- it took, and the start of the answer or the error.
CREATE TABLE delivery_attempts (
    delivery_id TEXT NOT NULL REFERENCES deliveries (id),
    attempt     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    status      BIGINT,
    latency_ms  BIGINT NOT NULL,
    detail      TEXT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
