-- Revert trafficsafety:api/diary_routes from pg
-- Back to release 1.0's api.routes (geometries with SRID 4326).
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW api.routes;
CREATE VIEW api.routes WITH (security_invoker = true) AS
SELECT r.route_id, r.route_name, r.user_id = auth.current_user_id() AS is_own, r.is_public,
       r.segment_ids, r.geometry, r.length_m, r.duration_min, r.avg_safety,
       r.alt_segment_ids, r.alt_geometry, r.alt_length_m, r.alt_duration_min, r.alt_avg_safety,
       r.created_at, r.updated_at
FROM diary.routes r;
COMMENT ON VIEW api.routes IS 'Saved routes: the logged-in user''s own and everyone''s public ones (anonymous: public only).';
-- release 1.0's grants (api/privileges@v1.0.0)
GRANT SELECT ON api.routes TO web_anon, web_user;

COMMIT;
