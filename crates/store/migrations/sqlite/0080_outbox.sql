-- The outbox: events people must hear about, written by the activity log's insert in the
-- same transaction as the change (so none is lost after a commit, none invented for a
-- rollback), then turned into deliveries by the notification worker on any node.
CREATE TABLE outbox_events (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    billing_account_id TEXT,
    actor_user_id      TEXT,
    target             TEXT NOT NULL,
    detail             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    claimed_until      BIGINT NOT NULL,
    fanned_out_at      BIGINT
);
CREATE INDEX outbox_events_open ON outbox_events (created_at) WHERE fanned_out_at IS NULL;

-- One message to one recipient for one event: attempts, next try, last error, final state.
-- The unique key makes a repeated fan-out (a worker that died half-way) add nothing twice.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES outbox_events (id),
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    locale          TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    UNIQUE (event_id, channel, recipient)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
