-- The invoice lists filter by account and by the profiles the caller sees. Every profile belongs
-- to one account, but PostgreSQL assumes the two columns independent and estimates a handful of
-- rows (97 instead of 10,000 for an account of 10,000 invoices), so it bitmap-ANDs both indexes and
-- sorts every invoice of the account (16 ms) instead of walking invoices_account_date newest-first
-- and stopping after one page (0.1 ms). Functional-dependency statistics tell it the truth.
CREATE STATISTICS IF NOT EXISTS invoices_account_profile (dependencies)
    ON billing_account_id, billing_profile_id FROM invoices;
ANALYZE invoices;
