-- Deploy trafficsafety:api/diary_routes to pg
-- Rework of release 1.0: api.routes gives its geometries without SRID, so that JSON answers
-- carry plain GeoJSON (no obsolete "crs" member; RFC 7946 coordinates are WGS84 by definition).
-- The columns' types change, so the view is made anew; its grants come back with api/privileges.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW api.routes;
CREATE VIEW api.routes WITH (security_invoker = true) AS
SELECT r.route_id, r.route_name, r.user_id = auth.current_user_id() AS is_own, r.is_public,
       r.segment_ids, public.st_setsrid(r.geometry, 0) AS geometry, r.length_m, r.duration_min, r.avg_safety,
       r.alt_segment_ids, public.st_setsrid(r.alt_geometry, 0) AS alt_geometry, r.alt_length_m, r.alt_duration_min, r.alt_avg_safety,
       r.created_at, r.updated_at
FROM diary.routes r;
COMMENT ON VIEW api.routes IS 'Saved routes: the logged-in user''s own and everyone''s public ones (anonymous: public only); geometry and alt_geometry are GeoJSON LineStrings (WGS84).';

COMMIT;
