-- Revert trafficsafety:tsi/archive_consistency from pg
BEGIN;

DROP FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz);
DROP VIEW tsi.archive_consistency_status;
DROP TABLE tsi.archive_consistency;
DROP TABLE tsi.archive_check_staging;
DELETE FROM tsi.data_quality_log WHERE issue_type LIKE 'archive\_%\_not\_in\_%';

COMMIT;
