-- Verify trafficsafety:tsi/spatial_queries on pg
SELECT (m).id, (m).name, (m).latitude, (m).longitude, (m).distance_meters, (m).safety_index, (m).risk_band, (m).traffic_volume, (m).last_updated
FROM (SELECT NULL::tsi.spatial_match AS m) t WHERE false;
SELECT has_function_privilege('tsi.intersections_within(geography, double precision)', 'execute'),
       has_function_privilege('tsi.intersections_near(double precision, double precision, double precision)', 'execute'),
       has_function_privilege('tsi.intersections_along_route(jsonb, jsonb, double precision)', 'execute'),
       has_function_privilege('tsi.intersections_in_polygon(jsonb)', 'execute');
