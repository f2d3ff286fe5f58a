-- Deploy trafficsafety:api/diary_segments to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- SECURITY DEFINER: the REST roles enter no schema but api. Not inlined therefore: the bbox
-- (GiST index) bounds the work, PostgREST's limit/offset page the result. PL/pgSQL, so that
-- the plan of the query is kept per connection (api/tsi_functions says why).
CREATE FUNCTION api.segments(bbox text, min_confidence numeric DEFAULT 0, updated_after timestamptz DEFAULT NULL)
RETURNS TABLE (segment_id text, street text, neighborhood text, length_m numeric, geometry geometry,
               decayed_mean numeric, n_eff numeric, confidence numeric, top_tags text[], delta_30d numeric,
               n_samples integer, last_updated timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- checked once, before any row is read (in the query, the cached plan would call them per row)
    area    geometry := diary.bbox_envelope(segments.bbox);
    least_c numeric := diary.check_between('min_confidence', coalesce(segments.min_confidence, 0), 0, 1);
BEGIN
    RETURN QUERY
    SELECT a.segment_id::text, a.street::text, a.neighborhood::text, a.length_m, a.geometry, a.decayed_mean, a.n_eff,
           a.confidence, a.top_tags, a.delta_30d, a.n_samples, a.last_updated
    FROM analytics.segment_aggregates a
    WHERE public.st_intersects(a.geometry, area)
      AND a.confidence >= least_c
      AND (segments.updated_after IS NULL OR a.last_updated > segments.updated_after)
    ORDER BY a.segment_id;
END
$$;
COMMENT ON FUNCTION api.segments(text, numeric, timestamptz) IS
    'Street segments with their safety scores in a bbox "west,south,east,north" (WGS84), optionally only those with confidence >= min_confidence or changed after updated_after. Page with limit (at most 1000) and offset; Prefer: count=exact gives the total; Accept: application/geo+json gives a FeatureCollection.';

CREATE VIEW api.diary_tags WITH (security_invoker = true) AS
SELECT tag, description FROM diary.tags;
COMMENT ON VIEW api.diary_tags IS 'The tags a rating may carry (at most 5 per rating).';

COMMIT;
