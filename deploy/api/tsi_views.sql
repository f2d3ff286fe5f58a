-- Deploy trafficsafety:api/tsi_views to pg
-- Rework of release 1.0: api.intersections gives its geometry without SRID. PostGIS 3.3's
-- geometry → JSON cast, which PostgREST's JSON answers use, writes the obsolete member
-- "crs": {"type": "name", …} into a geometry with an SRID; GeoJSON (RFC 7946) has no crs and its
-- coordinates are WGS84 longitude/latitude by definition, which these are.
-- The column's type changes (geometry(Point,4326) → geometry), so the view is made anew; its
-- grants come back with api/privileges, deployed after this change.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW api.intersections;
CREATE VIEW api.intersections WITH (security_invoker = true) AS
SELECT i.id, i.name::text AS name, i.latitude, i.longitude, i.elevation, i.region, i.revision,
       i.lane_count, i.lane_width, i.time_zone, public.st_setsrid(i.geometry, 0) AS geometry
FROM tsi.intersections i;
COMMENT ON VIEW api.intersections IS
    'Signalised intersections of the V2X feed (one per MapData intersection id). latitude/longitude in degrees WGS84; '
    'geometry is the same point as a GeoJSON Point (coordinates [longitude, latitude], WGS84): ask with "Accept: application/geo+json" for a GeoJSON FeatureCollection. '
    'time_zone is the IANA zone of local hour_of_day/day_of_week and daily rollups.';

COMMIT;
