-- Revert trafficsafety:tsi/collector_privileges from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) FROM collector;
REVOKE INSERT ON tsi.archive_check_staging FROM collector;
REVOKE EXECUTE ON PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer) FROM collector;
REVOKE EXECUTE ON FUNCTION tsi.epoch_ms_to_timestamptz(bigint) FROM collector;
REVOKE EXECUTE ON FUNCTION tsi.typed_refused() FROM collector;
REVOKE EXECUTE ON PROCEDURE tsi.land_typed_begin() FROM collector;

COMMIT;
