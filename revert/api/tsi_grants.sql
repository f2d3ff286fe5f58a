-- Revert trafficsafety:api/tsi_grants from pg
BEGIN;

REVOKE SELECT ON api.intersections, api.latest_indices, api.safety_indices_hourly, api.safety_indices_daily,
                api.data_quality_events
FROM web_anon, web_user;

REVOKE SELECT ON tsi.intersections, tsi.mv_current_safety_status, tsi.safety_indices_hourly,
                tsi.safety_indices_daily, tsi.data_quality_log
FROM web_anon, web_user;

REVOKE EXECUTE ON FUNCTION
    api.intersection_history(integer, timestamptz, timestamptz, text),
    api.intersections_near(double precision, double precision, double precision),
    api.intersections_along_route(jsonb, jsonb, double precision),
    api.intersections_in_polygon(jsonb),
    api.tsi_health(),
    api.legacy_safety_index(),
    api.legacy_safety_index_one(integer),
    api.legacy_safety_history(integer, integer, date, date, text),
    api.legacy_intersections_nearby(double precision, double precision, integer),
    api.legacy_intersections_route(text, integer)
FROM web_anon, web_user;

COMMIT;
