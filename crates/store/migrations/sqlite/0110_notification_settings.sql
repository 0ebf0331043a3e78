-- What each person chose to be told by e-mail (a row per topic they changed; without one the
-- topic's default applies), and the reminder a few days before an invoice's due date, made
-- once. Invoices already open before reminders existed count as reminded (0): an upgrade
-- sends no backlog.
CREATE TABLE notification_settings (
    user_id TEXT NOT NULL REFERENCES users(id),
    topic TEXT NOT NULL,
    email BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, topic)
);
ALTER TABLE invoices ADD COLUMN due_soon_notified_at BIGINT;
UPDATE invoices SET due_soon_notified_at = 0 WHERE status IN ('Due', 'OverDue');
CREATE INDEX invoices_due_soon_unannounced ON invoices (due_date)
    WHERE due_soon_notified_at IS NULL AND status IN ('Due');
