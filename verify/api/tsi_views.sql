-- Verify trafficsafety:api/tsi_views on pg
SELECT id, name, latitude, longitude, geometry FROM api.intersections WHERE false;
SELECT intersection_id, safety_index, risk_band, last_updated, minutes_behind FROM api.latest_indices WHERE false;
SELECT intersection_id, hour_timestamp, avg_si FROM api.safety_indices_hourly WHERE false;
SELECT intersection_id, date, avg_si FROM api.safety_indices_daily WHERE false;
SELECT id, timestamp, issue_type, severity, message FROM api.data_quality_events WHERE false;
DO $$
BEGIN
    IF pg_get_viewdef('api.intersections'::regclass) NOT LIKE '%st_setsrid(i.geometry, 0)%' THEN
        RAISE EXCEPTION 'api.intersections gives its geometry with an SRID (GeoJSON answers with a crs member)';
    END IF;
END
$$;
