-- An invitation belongs to the address it was mailed to, and a newer invitation for the same
-- user (or removing their last role on the inviting account) revokes the older ones.
ALTER TABLE invitations ADD COLUMN email TEXT;
ALTER TABLE invitations ADD COLUMN revoked_at BIGINT;
UPDATE invitations SET email = (SELECT email FROM users WHERE users.id = invitations.user_id);
-- Links issued before this were shown to the inviter instead of being mailed: none of them
-- proves that its user owns the mailbox, so none may still set a password.
UPDATE invitations SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000
 WHERE used_at IS NULL;
