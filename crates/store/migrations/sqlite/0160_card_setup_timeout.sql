-- The janitor gives up on cards whose 3-D Secure setup was left open (the challenge timeout);
-- it looks for them on every round, so they are found by this small index, not a scan.
CREATE INDEX payment_methods_open_setup ON payment_methods (created_at)
    WHERE setup_state = 'requires_action';
