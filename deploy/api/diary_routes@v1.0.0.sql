-- Deploy trafficsafety:api/diary_routes to pg
-- The list is a security_invoker view (row-level security decides); the writes are SECURITY
-- DEFINER functions that act on the caller's own routes only.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE VIEW api.routes WITH (security_invoker = true) AS
SELECT r.route_id, r.route_name, r.user_id = auth.current_user_id() AS is_own, r.is_public,
       r.segment_ids, r.geometry, r.length_m, r.duration_min, r.avg_safety,
       r.alt_segment_ids, r.alt_geometry, r.alt_length_m, r.alt_duration_min, r.alt_avg_safety,
       r.created_at, r.updated_at
FROM diary.routes r;
COMMENT ON VIEW api.routes IS 'Saved routes: the logged-in user''s own and everyone''s public ones (anonymous: public only).';

CREATE FUNCTION api.create_route(route_name text, segment_ids text[], is_public boolean DEFAULT false)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid     uuid := diary.require_user();
    missing text;
    r       diary.routes;
BEGIN
    IF create_route.route_name IS NULL OR btrim(create_route.route_name) = '' OR char_length(create_route.route_name) > 200 THEN
        PERFORM diary.invalid('route_name', 'between 1 and 200 characters');
    END IF;
    IF create_route.segment_ids IS NULL OR cardinality(create_route.segment_ids) = 0
       OR array_position(create_route.segment_ids, NULL) IS NOT NULL THEN
        PERFORM diary.invalid('segment_ids', 'at least one segment, no nulls');
    END IF;
    SELECT s INTO missing FROM unnest(create_route.segment_ids) s
    WHERE NOT EXISTS (SELECT FROM diary.segments g WHERE g.segment_id = s) LIMIT 1;
    IF missing IS NOT NULL THEN
        PERFORM diary.not_found('segment_ids', format('no segment %L', missing));
    END IF;
    PERFORM diary.enforce_write_limit(uid, 'route');
    INSERT INTO diary.routes (user_id, route_name, segment_ids, geometry, length_m, duration_min, avg_safety, is_public)
    SELECT uid, btrim(create_route.route_name), create_route.segment_ids,
           public.st_makeline(array_agg(a.geometry ORDER BY s.ord)),
           sum(a.length_m),
           sum(a.length_m) / (5000.0 / 60),  -- walking at 5 km/h
           round(sum(a.decayed_mean * a.length_m) / sum(a.length_m), 2),
           coalesce(create_route.is_public, false)
    FROM unnest(create_route.segment_ids) WITH ORDINALITY s(seg, ord)
    JOIN analytics.segment_aggregates a ON a.segment_id = s.seg
    RETURNING * INTO r;
    RETURN (SELECT to_jsonb(v) FROM api.routes v WHERE v.route_id = r.route_id);
END
$$;
COMMENT ON FUNCTION api.create_route(text, text[], boolean) IS
    'Save a route of segments (in travel order): its geometry, length, walking time and length-weighted safety are computed.';

CREATE FUNCTION api.rename_route(route_id uuid, route_name text)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid   uuid := diary.require_user();
    found uuid;
BEGIN
    IF rename_route.route_name IS NULL OR btrim(rename_route.route_name) = '' OR char_length(rename_route.route_name) > 200 THEN
        PERFORM diary.invalid('route_name', 'between 1 and 200 characters');
    END IF;
    UPDATE diary.routes r SET route_name = btrim(rename_route.route_name)
    WHERE r.route_id = rename_route.route_id AND r.user_id = uid
    RETURNING r.route_id INTO found;
    IF found IS NULL THEN
        PERFORM diary.not_found('route_id', 'no route of yours with this id');
    END IF;
    RETURN (SELECT to_jsonb(v) FROM api.routes v WHERE v.route_id = found);
END
$$;
COMMENT ON FUNCTION api.rename_route(uuid, text) IS 'Rename one of your routes (404 when it is not yours).';

CREATE FUNCTION api.delete_route(route_id uuid)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid   uuid := diary.require_user();
    found uuid;
BEGIN
    DELETE FROM diary.routes r WHERE r.route_id = delete_route.route_id AND r.user_id = uid
    RETURNING r.route_id INTO found;
    IF found IS NULL THEN
        PERFORM diary.not_found('route_id', 'no route of yours with this id');
    END IF;
    RETURN jsonb_build_object('deleted', found);
END
$$;
COMMENT ON FUNCTION api.delete_route(uuid) IS 'Delete one of your routes (404 when it is not yours); ratings made on it keep their segment.';

COMMIT;
