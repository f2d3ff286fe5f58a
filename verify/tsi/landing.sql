-- Verify trafficsafety:tsi/landing on pg
SELECT batch_id, msg_type, received_at, payload FROM tsi.message_staging WHERE false;
SELECT id, msg_type, reason, detail, payload, payload_hash, received_at, batch_id, quarantined_at
FROM tsi.quarantine WHERE false;
SELECT batch_id, landed_at, received, landed, duplicates, quarantined, unassigned FROM tsi.landed_batches WHERE false;
SELECT minute, marked_at, mark FROM tsi.pending_minutes WHERE false;
