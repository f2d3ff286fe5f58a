-- Deploy trafficsafety:api/diary_routing to pg
-- Reworked: when no path joins the nearest nodes of origin and destination (one may lie on an
-- isolated piece of imported data), they snap to the nearest nodes of one connected component
-- that joins them within the search area (diary.snap_route_ends); release 1.0 answered no path.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- VOLATILE: a request counts against the caller's hourly route limit.
CREATE OR REPLACE FUNCTION api.route(origin numeric[], destination numeric[], mode text DEFAULT 'balanced',
                          safety_weight numeric DEFAULT NULL, include_alternative boolean DEFAULT true)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid     uuid := diary.require_user();
    w       numeric;
    o       geometry;
    d       geometry;
    area    geometry;
    start_n bigint;
    end_n   bigint;
    margin  double precision;
    joined  boolean;
    prim    jsonb;
    alt     jsonb;
    reason  text;
BEGIN
    IF cardinality(route.origin) IS DISTINCT FROM 2 OR route.origin[1] NOT BETWEEN -180 AND 180
       OR route.origin[2] NOT BETWEEN -90 AND 90 THEN
        PERFORM diary.invalid('origin', 'must be [lng, lat] in WGS84');
    END IF;
    IF cardinality(route.destination) IS DISTINCT FROM 2 OR route.destination[1] NOT BETWEEN -180 AND 180
       OR route.destination[2] NOT BETWEEN -90 AND 90 THEN
        PERFORM diary.invalid('destination', 'must be [lng, lat] in WGS84');
    END IF;
    IF route.safety_weight IS NOT NULL THEN
        w := diary.check_between('safety_weight', route.safety_weight, 0, 1);
    ELSE
        w := diary.safety_weight(route.mode);
        IF w IS NULL THEN
            PERFORM diary.invalid('mode', 'must be optimal, balanced or safest');
        END IF;
    END IF;
    o := ST_SetSRID(ST_MakePoint(route.origin[1], route.origin[2]), 4326);
    d := ST_SetSRID(ST_MakePoint(route.destination[1], route.destination[2]), 4326);
    IF ST_Distance(o::geography, d::geography) > diary.setting('route_max_km') * 1000 THEN
        PERFORM diary.invalid('destination', format('more than %s km from origin', diary.setting('route_max_km')));
    END IF;
    PERFORM diary.enforce_write_limit(uid, 'route');

    -- The search area first: the ends are snapped among the edges the search will see. The
    -- nearest nodes first; when no path joins them (one may lie on an isolated piece), the nearest
    -- nodes of a component that joins both ends.
    margin := diary.setting('route_search_margin_m') / (111320.0 * cos(radians(greatest(abs(route.origin[2]), abs(route.destination[2])))));
    area := ST_Expand(ST_Envelope(ST_MakeLine(o, d)), margin);
    PERFORM diary.load_route_edges(w, area);
    SELECT s.start_node, s.end_node INTO start_n, end_n
    FROM diary.snap_route_ends(o, d, diary.setting('route_snap_max_m')::double precision, p_within_component => false) s;
    IF start_n IS NULL THEN
        PERFORM diary.not_found('origin', format('no street within %s m', diary.setting('route_snap_max_m')));
    END IF;
    IF end_n IS NULL THEN
        PERFORM diary.not_found('destination', format('no street within %s m', diary.setting('route_snap_max_m')));
    END IF;
    IF start_n = end_n THEN
        PERFORM diary.invalid('destination', 'origin and destination are at the same street corner');
    END IF;
    prim := diary.route_summary(start_n, end_n, w, area, p_edges_loaded => true);
    IF prim IS NULL THEN
        SELECT s.start_node, s.end_node, s.joined INTO start_n, end_n, joined
        FROM diary.snap_route_ends(o, d, diary.setting('route_snap_max_m')::double precision) s;
        IF NOT joined THEN
            PERFORM diary.not_found('destination', 'no path along rated streets from origin');
        END IF;
        IF start_n = end_n THEN
            PERFORM diary.invalid('destination', 'origin and destination are at the same street corner');
        END IF;
        prim := diary.route_summary(start_n, end_n, w, area, p_edges_loaded => true);
    END IF;
    IF prim IS NULL THEN
        PERFORM diary.not_found('destination', 'no path along rated streets from origin');
    END IF;
    IF route.include_alternative THEN
        alt := diary.route_summary(start_n, end_n, w, area,
                                   ARRAY(SELECT jsonb_array_elements_text(prim -> 'segment_ids')), p_edges_loaded => true);
        IF (alt ->> 'shared_m')::numeric > 0.7 * (prim ->> 'length_m')::numeric THEN
            reason := 'every other path shares more than 70 % of the primary route';
            alt := NULL;
        ELSIF (alt ->> 'length_m')::numeric > 1.3 * (prim ->> 'length_m')::numeric THEN
            reason := 'every other path is more than 30 % longer';
            alt := NULL;
        END IF;
    END IF;
    RETURN jsonb_build_object('safety_weight', w, 'primary', prim - 'shared_m',
                              'alternative', alt - 'shared_m', 'alternative_rejected', reason);
END
$$;
COMMENT ON FUNCTION api.route(numeric[], numeric[], text, numeric, boolean) IS
    'Safest route between origin and destination ([lng, lat], at most 10 km apart) along rated streets: mode optimal, balanced (default) or safest, or an explicit safety_weight in [0, 1]; with an alternative when one shares at most 70 % of the route and is at most 30 % longer. Needs a log-in (counts against the hourly route limit).';

COMMIT;
