-- The operator may invite too, and an operator token need not belong to a user: an
-- invitation's creator becomes optional.
ALTER TABLE invitations ALTER COLUMN created_by DROP NOT NULL;

-- Keys the server signs with, shared by every node of a deployment (made on first use).
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
