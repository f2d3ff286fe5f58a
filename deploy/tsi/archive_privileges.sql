-- Deploy trafficsafety:tsi/archive_privileges to pg
-- Grants of the archive operations (tsi/privileges is released): the collector stages archived
-- messages and runs the consistency check; analysts (and the monitoring, which reads as a
-- read-only role) read its results through core/privileges' default SELECT.
BEGIN;

GRANT INSERT ON tsi.archive_check_staging TO collector;
GRANT EXECUTE ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) TO collector;

COMMIT;
