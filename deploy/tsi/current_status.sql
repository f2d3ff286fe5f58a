-- Deploy trafficsafety:tsi/current_status to pg
-- Design document §8.3: the snapshot of the latest index of every intersection that the API
-- reads. "Current" is tsi.latest_indices (latest data, not the last five minutes of the server
-- clock: trap 10), stored so that the dashboard's most frequent request is one read; a unique
-- index lets it be refreshed concurrently while dashboards read it.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE MATERIALIZED VIEW tsi.mv_current_safety_status AS
SELECT * FROM tsi.latest_indices();

COMMENT ON MATERIALIZED VIEW tsi.mv_current_safety_status IS
    'Snapshot of tsi.latest_indices(): the latest index of every intersection (NULL indices without data), refreshed by tsi.process_pending '
    'after it computed new rows, and every minute by the pg_cron job tsi-refresh-current-status. The API''s latest indices, legacy endpoints '
    'and spatial searches all read it. Columns as tsi.latest_indices(): safety_index, vru_index, vehicle_index EB; combined_index raw.';
COMMENT ON COLUMN tsi.mv_current_safety_status.safety_index IS 'EB: Empirical-Bayes combined index, raw combined where EB is NULL.';
COMMENT ON COLUMN tsi.mv_current_safety_status.combined_index IS 'Raw: combined index before Empirical-Bayes adjustment.';
COMMENT ON COLUMN tsi.mv_current_safety_status.vru_index IS 'EB: Empirical-Bayes VRU index, raw where EB is NULL.';
COMMENT ON COLUMN tsi.mv_current_safety_status.vehicle_index IS 'EB: Empirical-Bayes vehicle index, raw where EB is NULL.';
COMMENT ON COLUMN tsi.mv_current_safety_status.minutes_behind IS 'Minutes from last_updated to the newest minute of the network at the refresh.';
CREATE UNIQUE INDEX idx_mv_current_safety_status ON tsi.mv_current_safety_status (intersection_id);

CREATE PROCEDURE tsi.refresh_current_status()
LANGUAGE sql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
AS $$
    REFRESH MATERIALIZED VIEW CONCURRENTLY tsi.mv_current_safety_status;
$$;
COMMENT ON PROCEDURE tsi.refresh_current_status() IS 'Refreshes tsi.mv_current_safety_status without blocking its readers.';

COMMIT;
