-- Partial payments (#15): an invoice may now have several succeeded payments, so the "one
-- payment per invoice" index narrows to the attempts still in flight: at most one of those
-- per invoice, whichever node or tab starts it, is what keeps two charges from racing. What
-- a payment may take is re-checked against the amount due when it starts and when it lands.
DROP INDEX payments_one_open_per_invoice;
CREATE UNIQUE INDEX payments_one_open_per_invoice ON payments (invoice_id)
    WHERE state IN ('processing', 'unknown', 'requires_action');
-- The succeeded payments of an invoice, for "paid by" and the invoice's payment list.
CREATE INDEX payments_succeeded_per_invoice ON payments (invoice_id, created_at)
    WHERE state = 'succeeded';

-- An operator may let an account pay part of an invoice (pay-as-you-go accounts may after a
-- failed attempt without it). 0 = no, 1 = yes.
ALTER TABLE billing_accounts ADD COLUMN partial_payments_allowed BIGINT NOT NULL DEFAULT 0;
