-- The operator may invite too, and an operator token need not belong to a user: an
-- invitation's creator becomes optional. (SQLite cannot drop NOT NULL in place: rebuild.)
CREATE TABLE invitations_new (
    token_hash         TEXT PRIMARY KEY,
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    user_id            TEXT NOT NULL REFERENCES users (id),
    created_by         TEXT REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used_at            BIGINT,
    email              TEXT,
    revoked_at         BIGINT
);
INSERT INTO invitations_new (token_hash, billing_account_id, user_id, created_by, created_at,
                             expires_at, used_at, email, revoked_at)
SELECT token_hash, billing_account_id, user_id, created_by, created_at, expires_at, used_at,
       email, revoked_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_user ON invitations (user_id);

-- Keys the server signs with, shared by every node of a deployment (made on first use).
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
