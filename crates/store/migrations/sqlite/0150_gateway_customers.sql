-- A real gateway (Stripe) keeps a customer per billing profile, created on first need; its id
-- is kept here. NULL: none yet (and always, with the sandbox).
ALTER TABLE billing_profiles ADD COLUMN gateway_customer_id TEXT;
-- Webhook events from the gateway, by the gateway's event id: an event seen twice (Stripe
-- retries, a replay) is applied once, in the same transaction as what it settles.
CREATE TABLE gateway_events (
    event_id     TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);
