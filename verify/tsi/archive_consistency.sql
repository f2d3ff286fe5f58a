-- Verify trafficsafety:tsi/archive_consistency on pg
SELECT check_id, msg_type, received_at, payload FROM tsi.archive_check_staging WHERE false;
SELECT hour, msg_type, checked_at, comparable, archived, archived_distinct, in_database, missing_in_database,
       missing_in_archive, examples
FROM tsi.archive_consistency WHERE false;
SELECT msg_type, differences, missing_in_database, missing_in_archive, hours_checked, last_checked_at
FROM tsi.archive_consistency_status WHERE false;
SELECT 'tsi.check_archive_consistency(uuid, timestamptz, timestamptz)'::regprocedure;
