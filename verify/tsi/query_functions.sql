-- Verify trafficsafety:tsi/query_functions on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('tsi.check_argument(text, text)', 'execute');
SELECT has_function_privilege('tsi.range_problem(text, double precision, double precision, double precision)', 'execute');
SELECT has_function_privilege('tsi.geojson_geometry(jsonb, text, text[])', 'execute');
SELECT has_function_privilege('tsi.route_line(jsonb, jsonb)', 'execute');
SELECT intersection_id, timestamp, safety_index, combined_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week
FROM tsi.minute_indices WHERE false;
SELECT intersection_id, intersection_name, latitude, longitude, geometry, safety_index, combined_index,
       vru_index, vehicle_index, traffic_volume, last_updated
FROM tsi.latest_index_per_intersection WHERE false;
SELECT has_function_privilege('tsi.latest_indices()', 'execute');
SELECT has_function_privilege('tsi.intersection_history(integer, timestamptz, timestamptz, text)', 'execute');
SELECT (m).id, (m).name, (m).latitude, (m).longitude, (m).distance_meters, (m).safety_index, (m).risk_band, (m).traffic_volume, (m).last_updated,
       (p).timestamp, (p).safety_index, (p).vru_index, (p).vehicle_index, (p).traffic_volume, (p).hour_of_day, (p).day_of_week, (p).aggregation
FROM (SELECT NULL::tsi.spatial_match AS m, NULL::tsi.history_point AS p) t WHERE false;
SELECT has_function_privilege('tsi.intersections_within(geography, double precision)', 'execute');
SELECT has_function_privilege('tsi.intersections_near(double precision, double precision, double precision)', 'execute');
SELECT has_function_privilege('tsi.intersections_along_route(jsonb, jsonb, double precision)', 'execute');
SELECT has_function_privilege('tsi.intersections_in_polygon(jsonb)', 'execute');
