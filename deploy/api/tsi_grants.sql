-- Deploy trafficsafety:api/tsi_grants to pg
-- Anonymous and logged-in API clients read the safety index; nothing is writable. The api
-- functions run as their owner (api/tsi_functions). The api views are security_invoker, so the
-- callers need SELECT on the tsi relations behind them; a view stores its relations by oid, so
-- no USAGE on the tsi schema is needed (nor granted: the API roles enter no schema but api).
BEGIN;

GRANT SELECT ON api.intersections, api.latest_indices, api.safety_indices_hourly, api.safety_indices_daily,
                api.data_quality_events
TO web_anon, web_user;

GRANT SELECT ON tsi.intersections, tsi.mv_current_safety_status, tsi.safety_indices_hourly,
                tsi.safety_indices_daily, tsi.data_quality_log
TO web_anon, web_user;

GRANT EXECUTE ON FUNCTION
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
TO web_anon, web_user;

COMMIT;
