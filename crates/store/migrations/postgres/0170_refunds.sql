-- Issue 15: refunds of succeeded payments and the credit notes they issue.

-- A refund is recorded 'pending' before the gateway is asked (with the refund id as the
-- idempotency key), then 'succeeded' or 'failed'. Pending and succeeded refunds together never
-- exceed their payment's amount: checked under the payment's row lock when one is recorded.
CREATE TABLE refunds (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    payment_id         TEXT NOT NULL REFERENCES payments (id),
    invoice_id         TEXT NOT NULL REFERENCES invoices (id),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    gateway_reference  TEXT,
    failure_reason     TEXT,
    reason             TEXT NOT NULL,
    created_by         TEXT REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_invoice ON refunds (billing_account_id, invoice_id);
CREATE INDEX refunds_pending ON refunds (state, updated_at) WHERE state = 'pending';

-- One credit note per succeeded refund, numbered in a sequence of its own (CN000000001).
-- What an invoice shows as refunded is the sum of its credit notes; a refund leaves the
-- invoice's amount due as it was (the credit note credits what the refund gave back), so it
-- never goes below zero.
CREATE TABLE credit_notes (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    billing_profile_id TEXT NOT NULL REFERENCES billing_profiles (id),
    number             TEXT NOT NULL UNIQUE,
    invoice_id         TEXT NOT NULL REFERENCES invoices (id),
    refund_id          TEXT NOT NULL UNIQUE REFERENCES refunds (id),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    issued_on          TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes (billing_account_id, invoice_id);

-- Document number sequences, one row each, taken under the row's lock.
CREATE TABLE document_sequences (
    name        TEXT PRIMARY KEY,
    last_value  BIGINT NOT NULL
);
INSERT INTO document_sequences (name, last_value) VALUES ('credit_note', 0);
