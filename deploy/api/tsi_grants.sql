-- Deploy trafficsafety:api/tsi_grants to pg
-- Anonymous and logged-in API clients read the safety index; nothing is writable. The api
-- views are security_invoker and the api functions inline into the caller's query, so the
-- callers also need SELECT on the tsi tables behind them and EXECUTE on the tsi helpers they
-- call. PostgREST serves only the api schema, so tsi stays unreachable over HTTP.
BEGIN;

GRANT SELECT ON api.intersections, api.latest_indices, api.safety_indices_hourly, api.safety_indices_daily,
                api.data_quality_events
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

GRANT USAGE ON SCHEMA tsi TO web_anon, web_user;
GRANT SELECT ON tsi.intersections, tsi.mv_current_safety_status, tsi.safety_indices_realtime, tsi.safety_indices_hourly,
                tsi.safety_indices_daily, tsi.data_quality_log, tsi.formula_config,
                tsi.minute_indices, tsi.latest_index_per_intersection
TO web_anon, web_user;
GRANT EXECUTE ON FUNCTION
    tsi.check_argument(text, text),
    tsi.jsonb_argument(jsonb, text),
    tsi.range_problem(text, double precision, double precision, double precision),
    tsi.geojson_geometry(jsonb, text, text[]),
    tsi.route_line(jsonb, jsonb),
    tsi.intersection_history(integer, timestamptz, timestamptz, text),
    tsi.intersections_within(geography, double precision),
    tsi.intersections_near(double precision, double precision, double precision),
    tsi.intersections_along_route(jsonb, jsonb, double precision),
    tsi.intersections_in_polygon(jsonb),
    tsi.risk_band(double precision, tsi.formula_config),
    tsi.formula_at(timestamptz)
TO web_anon, web_user;

COMMIT;
