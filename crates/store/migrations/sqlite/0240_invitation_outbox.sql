-- Invitations are mailed by the notification worker from the outbox (issue 13). The outbox
-- event names the invitation by this id, never by its token: the token is made afresh when
-- the mail is written (only its hash is ever stored), so neither the outbox, the activity log
-- nor a webhook holds a working link.
ALTER TABLE invitations ADD COLUMN id TEXT;
UPDATE invitations SET id = 'ivt_' || substr(token_hash, 1, 32) WHERE id IS NULL;
CREATE UNIQUE INDEX invitations_id ON invitations (id);
