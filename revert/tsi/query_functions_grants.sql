-- Revert trafficsafety:tsi/query_functions_grants from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION
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
FROM analyst;

COMMIT;
