-- The webhook that reports a saved card's new expiry (Stripe's payment_method.updated) finds
-- the card by the gateway's token.
CREATE INDEX payment_methods_gateway_token ON payment_methods (gateway_token);
