-- Deploy trafficsafety:tsi/current_status to pg
-- Design document §8.3, with "current" meaning the latest data of each intersection, not the
-- last five minutes of the server clock (trap 10), and a unique index so that it can be
-- refreshed concurrently while dashboards read it.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE MATERIALIZED VIEW tsi.mv_current_safety_status AS
SELECT i.id AS intersection_id,
       coalesce(r.combined_index_eb, r.combined_index) AS safety_index,
       r.combined_index, r.vru_index, r.vehicle_index,
       r.traffic_volume,
       r.timestamp AS last_updated,
       tsi.risk_band(coalesce(r.combined_index_eb, r.combined_index), tsi.formula_at(r.timestamp)) AS risk_band
FROM tsi.intersections AS i
CROSS JOIN LATERAL (
    SELECT * FROM tsi.safety_indices_realtime AS s
    WHERE s.intersection_id = i.id
    ORDER BY s.timestamp DESC
    LIMIT 1
) AS r;

COMMENT ON MATERIALIZED VIEW tsi.mv_current_safety_status IS
    'Latest safety index of every intersection with data (its newest 1-minute row, however old), refreshed by tsi.process_pending after it computed new rows, and every minute by the pg_cron job tsi-refresh-current-status.';
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
