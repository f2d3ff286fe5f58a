-- Deploy trafficsafety:ops/archive_metrics to pg
-- The archive/database consistency check's results (tsi.archive_consistency_status, written by
-- `collector check-consistency`) for the postgres exporter: tsdb_archive_consistency_*.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION ops.archive_consistency()
RETURNS TABLE (msg_type text, differences bigint, missing_in_database bigint, missing_in_archive bigint,
               hours_checked bigint, last_checked_seconds double precision)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.msg_type, s.differences, s.missing_in_database, s.missing_in_archive, s.hours_checked,
           extract(epoch FROM s.last_checked_at)::float8
    FROM tsi.archive_consistency_status AS s
$$;
COMMENT ON FUNCTION ops.archive_consistency() IS
    'Per message type: messages in the archive but not in the database and the reverse, found by the consistency checks of the last day, '
    'hours checked, and when the last check ran (Unix seconds; NULL before the first).';

COMMIT;
