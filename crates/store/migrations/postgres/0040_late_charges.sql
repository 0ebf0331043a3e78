-- A charge the gateway reports as succeeded for a payment we had already recorded as failed,
-- while another payment had paid the invoice: the money moved, so it is kept here (and in the
-- activity log) for an operator to refund, instead of being dropped.
ALTER TABLE payments ADD COLUMN late_charge_reference TEXT;
