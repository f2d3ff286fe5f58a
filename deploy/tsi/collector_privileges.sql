-- Deploy trafficsafety:tsi/collector_privileges to pg
-- What the collector may do beyond v1.0.0's tsi/privileges (released, so not edited): land typed
-- batches, stage archived messages and run the consistency check. Analysts (and the monitoring,
-- which reads as a read-only role) read the results through core/privileges' default SELECT.
BEGIN;

GRANT INSERT ON tsi.typed_staging TO collector;
GRANT EXECUTE ON FUNCTION tsi.typed_refused(uuid) TO collector;
GRANT EXECUTE ON PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer) TO collector;
GRANT INSERT ON tsi.archive_check_staging TO collector;
GRANT EXECUTE ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) TO collector;

COMMIT;
