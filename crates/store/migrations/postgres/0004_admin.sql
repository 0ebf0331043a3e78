-- Issue 4: Settle balance for pay-as-you-go accounts, invited users, and activity-log paging.

-- One charge that pays all of an account's outstanding invoices. Each invoice also gets a row in
-- payments (with settlement_id set), so the one-open-payment-per-invoice index blocks Pay now on
-- those invoices while the settlement is open, and a settlement cannot start on an invoice that
-- already has an open payment.
CREATE TABLE settlements (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    payment_method_id  TEXT NOT NULL REFERENCES payment_methods (id),
    state              TEXT NOT NULL,
    failure_reason     TEXT,
    gateway_reference  TEXT,
    next_action_url    TEXT,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
-- At most one settlement per account that is not final.
CREATE UNIQUE INDEX settlements_one_open_per_account ON settlements (billing_account_id)
    WHERE state IN ('processing', 'requires_action', 'unknown');

ALTER TABLE payments ADD COLUMN settlement_id TEXT REFERENCES settlements (id);
CREATE INDEX payments_settlement ON payments (settlement_id);

-- A card added with 3-D Secure waits inactive until the cardholder passes the challenge:
-- 'requires_action' while waiting, 'failed' when the challenge failed, NULL otherwise.
ALTER TABLE payment_methods ADD COLUMN setup_state TEXT;

-- One-time set-password links for invited users; only a SHA-256 of the token is kept.
CREATE TABLE invitations (
    token_hash         TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    user_id            TEXT NOT NULL REFERENCES users (id),
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used_at            BIGINT
);
CREATE INDEX invitations_user ON invitations (user_id);

-- Activity-log paging and filtering by kind within an account.
CREATE INDEX audit_events_account_kind ON audit_events (billing_account_id, kind, created_at);
