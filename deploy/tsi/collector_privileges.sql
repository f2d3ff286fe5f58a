-- Deploy trafficsafety:tsi/collector_privileges to pg
-- What the collector may do beyond v1.0.0's tsi/privileges (released, so not edited): land typed
-- batches, stage archived messages and run the consistency check. Analysts (and the monitoring,
-- which reads as a read-only role) read the results through core/privileges' default SELECT.
BEGIN;

-- the typed landing's rows are the session's own table (pg_temp.land_rows): tsi.land_typed_begin grants INSERT on it
GRANT EXECUTE ON PROCEDURE tsi.land_typed_begin() TO collector;
GRANT EXECUTE ON FUNCTION tsi.typed_refused() TO collector;
-- the table's ts is made of the copied milliseconds by the copying role
GRANT EXECUTE ON FUNCTION tsi.epoch_ms_to_timestamptz(bigint) TO collector;
GRANT EXECUTE ON PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer) TO collector;
GRANT INSERT ON tsi.archive_check_staging TO collector;
GRANT EXECUTE ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) TO collector;

COMMIT;
