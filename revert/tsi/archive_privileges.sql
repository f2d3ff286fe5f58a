-- Revert trafficsafety:tsi/archive_privileges from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) FROM collector;
REVOKE INSERT ON tsi.archive_check_staging FROM collector;

COMMIT;
