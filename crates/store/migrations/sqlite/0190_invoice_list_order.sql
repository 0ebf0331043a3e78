-- Invoice lists sort by invoice date, newest first, then by number (highest first), so that
-- invoices of the same date always come in the same order and keyset pages continue after
-- (date, number). These indexes serve that order for a whole account and for one profile, and
-- replace the (date, id) ones, which nothing else reads.
CREATE INDEX invoices_account_date_number ON invoices (billing_account_id, invoice_date DESC, number DESC);
CREATE INDEX invoices_profile_date_number ON invoices (billing_profile_id, invoice_date DESC, number DESC);
DROP INDEX invoices_account_date;
DROP INDEX invoices_profile_date;
