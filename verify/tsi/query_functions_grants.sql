-- Verify trafficsafety:tsi/query_functions_grants on pg
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'tsi.check_argument(text, text)',
        'tsi.range_problem(text, double precision, double precision, double precision)',
        'tsi.geojson_geometry(jsonb, text, text[])',
        'tsi.route_line(jsonb, jsonb)',
        'tsi.latest_indices()',
        'tsi.intersection_history(integer, timestamptz, timestamptz, text)',
        'tsi.intersections_within(geography, double precision)',
        'tsi.intersections_near(double precision, double precision, double precision)',
        'tsi.intersections_along_route(jsonb, jsonb, double precision)',
        'tsi.intersections_in_polygon(jsonb)'
    ] LOOP
        IF NOT has_function_privilege('analyst', f, 'execute') THEN
            RAISE EXCEPTION 'analyst cannot execute %', f;
        END IF;
    END LOOP;
END
$$;
