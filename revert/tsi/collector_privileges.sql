-- Revert trafficsafety:tsi/collector_privileges from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) FROM collector;
REVOKE INSERT ON tsi.archive_check_staging FROM collector;
REVOKE EXECUTE ON PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer) FROM collector;
REVOKE EXECUTE ON FUNCTION tsi.typed_refused(uuid) FROM collector;
REVOKE INSERT ON tsi.typed_staging FROM collector;

COMMIT;
