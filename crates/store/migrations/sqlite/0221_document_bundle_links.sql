-- Issue 15: short-lived download links for a ZIP of several invoices' PDFs (the API's
-- `downloadDocuments`). As for one invoice's link, only a SHA-256 of the token is stored; the
-- invoices (checked against the caller's scope when the link was made) are their ids, in the
-- order asked, separated by spaces.
CREATE TABLE document_bundle_links (
    token_hash         TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    invoice_ids        TEXT NOT NULL,
    locale             TEXT NOT NULL,
    expires_at         BIGINT NOT NULL
);
CREATE INDEX document_bundle_links_expires ON document_bundle_links (expires_at);
