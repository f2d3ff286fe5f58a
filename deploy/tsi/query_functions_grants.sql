-- Deploy trafficsafety:tsi/query_functions_grants to pg
-- Analysts call the query functions; a function called by one of them (inlined or not) runs
-- as the caller, so the helpers are granted too. The view is readable through the default
-- privileges of core/privileges.
BEGIN;

GRANT EXECUTE ON FUNCTION
    tsi.check_argument(text, text),
    tsi.range_problem(text, double precision, double precision, double precision),
    tsi.geojson_geometry(jsonb, text, text[]),
    tsi.route_line(jsonb, jsonb),
    tsi.latest_indices(),
    tsi.intersection_history(integer, timestamptz, timestamptz, text),
    tsi.intersections_within(geography, double precision),
    tsi.intersections_near(double precision, double precision, double precision),
    tsi.intersections_along_route(jsonb, jsonb, double precision),
    tsi.intersections_in_polygon(jsonb)
TO analyst;

COMMIT;
