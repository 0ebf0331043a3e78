-- Short-lived download links for invoice PDFs (the API's `download` operation). Only a SHA-256
-- of the link's token is stored; any node can serve the link.
CREATE TABLE document_links (
    token_hash         TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    invoice_id         TEXT NOT NULL REFERENCES invoices (id),
    locale             TEXT NOT NULL,
    expires_at         BIGINT NOT NULL
);
CREATE INDEX document_links_expires ON document_links (expires_at);
