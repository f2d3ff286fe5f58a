-- Revert trafficsafety:api/tsi_views from pg
-- Back to release 1.0's api.intersections (geometry with SRID 4326).
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW api.intersections;
CREATE VIEW api.intersections WITH (security_invoker = true) AS
SELECT i.id, i.name::text AS name, i.latitude, i.longitude, i.elevation, i.region, i.revision,
       i.lane_count, i.lane_width, i.time_zone, i.geometry
FROM tsi.intersections i;
COMMENT ON VIEW api.intersections IS
    'Signalised intersections of the V2X feed (one per MapData intersection id). latitude/longitude in degrees WGS84; '
    'geometry is the same point (SRID 4326): ask with "Accept: application/geo+json" for a GeoJSON FeatureCollection. '
    'time_zone is the IANA zone of local hour_of_day/day_of_week and daily rollups.';

-- release 1.0's grants (api/privileges@v1.0.0)
GRANT SELECT ON api.intersections TO web_anon, web_user;

COMMIT;
