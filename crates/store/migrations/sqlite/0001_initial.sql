-- Faktura's initial schema (SQLite). Ids are prefixed TEXT, money is BIGINT minor units,
-- timestamps are BIGINT milliseconds since the Unix epoch (UTC), calendar dates are TEXT YYYY-MM-DD.
-- Every customer table carries billing_account_id and every query filters by it.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    locale        TEXT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE billing_accounts (
    id                    TEXT PRIMARY KEY,
    display_name          TEXT NOT NULL,
    agreement_type        TEXT NOT NULL,
    status                TEXT NOT NULL,
    country               TEXT NOT NULL,
    sold_to_company       TEXT NOT NULL,
    sold_to_line1         TEXT NOT NULL,
    sold_to_line2         TEXT NOT NULL,
    sold_to_postal_code   TEXT NOT NULL,
    sold_to_city          TEXT NOT NULL,
    sold_to_region        TEXT NOT NULL,
    sold_to_country       TEXT NOT NULL,
    account_admin_user_id TEXT NOT NULL REFERENCES users (id),
    created_at            BIGINT NOT NULL
);

CREATE TABLE billing_profiles (
    id                        TEXT PRIMARY KEY,
    billing_account_id        TEXT NOT NULL REFERENCES billing_accounts (id),
    display_name              TEXT NOT NULL,
    currency                  TEXT NOT NULL,
    status                    TEXT NOT NULL,
    status_reason             TEXT,
    bill_to_company           TEXT NOT NULL,
    bill_to_line1             TEXT NOT NULL,
    bill_to_line2             TEXT NOT NULL,
    bill_to_postal_code       TEXT NOT NULL,
    bill_to_city              TEXT NOT NULL,
    bill_to_region            TEXT NOT NULL,
    bill_to_country           TEXT NOT NULL,
    invoice_email             TEXT NOT NULL,
    default_payment_method_id TEXT,
    created_at                BIGINT NOT NULL
);
CREATE INDEX billing_profiles_account ON billing_profiles (billing_account_id);

CREATE TABLE invoices (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    billing_profile_id TEXT NOT NULL REFERENCES billing_profiles (id),
    number             TEXT NOT NULL UNIQUE,
    invoice_date       TEXT NOT NULL,
    period_start       TEXT NOT NULL,
    period_end         TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    currency           TEXT NOT NULL,
    subtotal_minor     BIGINT NOT NULL,
    tax_minor          BIGINT NOT NULL,
    total_minor        BIGINT NOT NULL,
    credits_minor      BIGINT NOT NULL,
    amount_paid_minor  BIGINT NOT NULL,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    CHECK (amount_paid_minor >= 0 AND amount_paid_minor <= total_minor - credits_minor)
);
-- Newest-first keyset paging per account and per profile.
CREATE INDEX invoices_account_date ON invoices (billing_account_id, invoice_date DESC, id DESC);
CREATE INDEX invoices_profile_date ON invoices (billing_profile_id, invoice_date DESC, id DESC);

CREATE TABLE invoice_lines (
    invoice_id         TEXT NOT NULL REFERENCES invoices (id),
    position           BIGINT NOT NULL,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    service            TEXT NOT NULL,
    description        TEXT NOT NULL,
    quantity_milli     BIGINT NOT NULL,
    unit_price_minor   BIGINT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

CREATE TABLE payment_methods (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    billing_profile_id TEXT NOT NULL REFERENCES billing_profiles (id),
    gateway_token      TEXT NOT NULL,
    brand              TEXT NOT NULL,
    last4              TEXT NOT NULL,
    exp_month          BIGINT NOT NULL,
    exp_year           BIGINT NOT NULL,
    holder             TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX payment_methods_profile ON payment_methods (billing_profile_id);

CREATE TABLE payments (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    invoice_id         TEXT NOT NULL REFERENCES invoices (id),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    payment_method_id  TEXT REFERENCES payment_methods (id),
    state              TEXT NOT NULL,
    failure_reason     TEXT,
    gateway_reference  TEXT,
    next_action_url    TEXT,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
-- The database itself guarantees at most one payment per invoice that is not failed:
-- a second Pay now, from any tab or node, cannot start while one is open or has succeeded.
CREATE UNIQUE INDEX payments_one_open_per_invoice ON payments (invoice_id) WHERE state <> 'failed';
CREATE INDEX payments_invoice ON payments (invoice_id, created_at);
CREATE INDEX payments_unsettled ON payments (state, updated_at) WHERE state IN ('processing', 'unknown', 'requires_action');

CREATE TABLE role_assignments (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    billing_profile_id TEXT REFERENCES billing_profiles (id),
    user_id            TEXT NOT NULL REFERENCES users (id),
    role               TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments (billing_account_id, user_id, role, COALESCE(billing_profile_id, ''));
CREATE INDEX role_assignments_user ON role_assignments (user_id);

CREATE TABLE audit_events (
    id                 TEXT PRIMARY KEY,
    billing_account_id TEXT REFERENCES billing_accounts (id),
    actor_user_id      TEXT,
    kind               TEXT NOT NULL,
    target             TEXT NOT NULL,
    detail             TEXT NOT NULL,
    ip                 TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (billing_account_id, created_at DESC);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
