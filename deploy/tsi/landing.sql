-- Deploy trafficsafety:tsi/landing to pg
-- Where the collector's batches arrive and what happens to messages that fail validation.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- COPY target of the collector. Unlogged: a batch is copied and landed (CALL tsi.land_batch)
-- in one transaction, so after a crash there is nothing here worth keeping.
CREATE UNLOGGED TABLE tsi.message_staging (
    batch_id     uuid NOT NULL,
    msg_type     text NOT NULL,
    received_at  timestamptz NOT NULL,
    payload      jsonb NOT NULL
);
CREATE INDEX idx_message_staging_batch ON tsi.message_staging (batch_id);
COMMENT ON TABLE tsi.message_staging IS
    'COPY target of the collector: one row per message as received (msg_type bsm, psm, mapdata or spat; payload the message JSON), moved out by CALL tsi.land_batch(batch_id).';

CREATE TABLE tsi.quarantine (
    id              bigserial PRIMARY KEY,
    msg_type        text NOT NULL,
    reason          text NOT NULL,
    detail          text NOT NULL,
    payload         jsonb NOT NULL,
    payload_hash    bytea NOT NULL,
    received_at     timestamptz NOT NULL,
    batch_id        uuid,
    quarantined_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (payload_hash)
);
COMMENT ON TABLE tsi.quarantine IS
    'Messages that failed validation, with the reason; a message rejected again (a retried batch) is kept once.';
COMMENT ON COLUMN tsi.quarantine.reason IS
    'Machine-readable reason: unknown_type, not_an_object, invalid_structure, invalid_timestamp, timestamp_in_future, missing_id, invalid_msg_cnt, invalid_sec_mark, invalid_coordinates, invalid_speed, invalid_accel, invalid_basic_type, invalid_mapdata, invalid_spat.';
COMMENT ON COLUMN tsi.quarantine.detail IS 'What exactly was wrong, for a person.';
COMMENT ON COLUMN tsi.quarantine.payload_hash IS 'SHA-256 of msg_type and payload: the same rejected message is stored once.';
CREATE INDEX idx_quarantine_time ON tsi.quarantine (quarantined_at DESC);
CREATE INDEX idx_quarantine_reason ON tsi.quarantine (reason, quarantined_at DESC);

-- Every landed batch, so a retry is recognised and the collector's summary can be checked.
CREATE TABLE tsi.landed_batches (
    batch_id     uuid PRIMARY KEY,
    landed_at    timestamptz NOT NULL DEFAULT now(),
    received     integer NOT NULL,
    landed       integer NOT NULL,
    duplicates   integer NOT NULL,
    quarantined  integer NOT NULL,
    unassigned   integer NOT NULL
);
COMMENT ON TABLE tsi.landed_batches IS 'One row per batch landed by tsi.land_batch, with its counts.';

-- Minutes that received data since they were last processed (tsi.process_pending).
CREATE SEQUENCE tsi.pending_mark_seq;
COMMENT ON SEQUENCE tsi.pending_mark_seq IS 'Marks of tsi.pending_minutes: a minute re-marked while being processed stays pending.';
CREATE TABLE tsi.pending_minutes (
    minute     timestamptz PRIMARY KEY CHECK ((minute AT TIME ZONE 'UTC') = date_trunc('minute', minute AT TIME ZONE 'UTC')),
    marked_at  timestamptz NOT NULL DEFAULT now(),
    mark       bigint NOT NULL DEFAULT nextval('tsi.pending_mark_seq')
);
COMMENT ON COLUMN tsi.pending_minutes.marked_at IS 'When the minute first became pending (the processing lag is measured from here).';
COMMENT ON COLUMN tsi.pending_minutes.mark IS 'Renewed each time more data lands for the minute.';
COMMENT ON TABLE tsi.pending_minutes IS 'Minutes (UTC) with newly landed messages, waiting to be (re)processed; late data marks an old minute again.';

COMMIT;
