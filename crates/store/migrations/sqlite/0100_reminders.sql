-- Time-based notifications, each made once: an invoice that has gone past due, a card that
-- expires within 30 days. The column says when it was announced; what was already past due or
-- expiring before reminders existed counts as announced (0), so an upgrade sends no backlog.
ALTER TABLE invoices ADD COLUMN past_due_notified_at BIGINT;
ALTER TABLE payment_methods ADD COLUMN expiry_notified_at BIGINT;
UPDATE invoices SET past_due_notified_at = 0 WHERE status IN ('Due', 'OverDue');
UPDATE payment_methods SET expiry_notified_at = 0;
CREATE INDEX invoices_past_due_unannounced ON invoices (due_date)
    WHERE past_due_notified_at IS NULL AND status IN ('Due', 'OverDue');
CREATE INDEX payment_methods_expiry_unannounced ON payment_methods (exp_year, exp_month)
    WHERE expiry_notified_at IS NULL AND status = 'active';
