-- Revert trafficsafety:tsi/landing from pg
BEGIN;

DROP TABLE tsi.pending_minutes;
DROP SEQUENCE tsi.pending_mark_seq;
DROP TABLE tsi.landed_batches;
DROP TABLE tsi.quarantine;
DROP TABLE tsi.message_staging;

COMMIT;
