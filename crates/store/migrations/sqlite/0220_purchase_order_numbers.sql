-- Issue 15: a purchase order number that billing profile owners set in Properties (and the
-- API), printed on the profile's invoices. An invoice takes the profile's number when it is
-- issued (a snapshot, as billing systems do): changing the profile's number later changes no
-- issued invoice, and invoices issued before this migration have none. NULL: no number.
ALTER TABLE billing_profiles ADD COLUMN po_number TEXT;
ALTER TABLE invoices ADD COLUMN purchase_order_number TEXT;
