-- Verify trafficsafety:tsi/intersections on pg
SELECT id, name, latitude, longitude, geometry, elevation, region, revision, lane_count,
       lane_width, time_zone, metadata, created_at, updated_at
FROM tsi.intersections WHERE false;
SELECT has_function_privilege('tsi.intersections_before_write()', 'execute');
