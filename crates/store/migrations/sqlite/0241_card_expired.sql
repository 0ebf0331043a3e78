-- payment_method.expired (issue 13): announced once, after the last day of a card's expiry
-- month, like payment_method.expiring before it. Cards already expired count as announced.
ALTER TABLE payment_methods ADD COLUMN expired_notified_at BIGINT;
UPDATE payment_methods SET expired_notified_at = 0;
CREATE INDEX payment_methods_expired_unannounced ON payment_methods (exp_year, exp_month)
    WHERE expired_notified_at IS NULL AND status = 'active';
