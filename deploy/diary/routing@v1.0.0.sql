-- Deploy trafficsafety:diary/routing to pg
-- Graph maintenance and route search (reference §4): A* over the segment graph with the cost
-- length * (1 + w * (5 - decayed_mean) / 5), which is never below the length, so the straight-line
-- heuristic (scaled to metres from below) stays admissible.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION diary.rebuild_graph()
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- Degrees of latitude; along a parallel a degree is shorter, so the snap is never wider than asked.
    tol double precision := diary.setting('snap_tolerance_m') / 111320.0;
    n   integer;
BEGIN
    LOCK TABLE diary.graph_edges, diary.graph_nodes IN EXCLUSIVE MODE;
    DELETE FROM diary.graph_edges;
    DELETE FROM diary.graph_nodes;
    CREATE TEMP TABLE graph_ends ON COMMIT DROP AS
    SELECT segment_id, which, p, ST_ClusterDBSCAN(p, tol, 1) OVER () AS cid
    FROM (SELECT segment_id, 0 AS which, ST_StartPoint(geometry) AS p FROM diary.segments
          UNION ALL
          SELECT segment_id, 1, ST_EndPoint(geometry) FROM diary.segments) e;
    INSERT INTO diary.graph_nodes (node_id, geom)
    SELECT cid + 1, ST_Centroid(ST_Collect(p)) FROM graph_ends GROUP BY cid;
    INSERT INTO diary.graph_edges (edge_id, segment_id, source, target, length_m, x1, y1, x2, y2, geom)
    SELECT row_number() OVER (ORDER BY s.segment_id), s.segment_id, a.cid + 1, b.cid + 1, s.length_m,
           ST_X(na.geom), ST_Y(na.geom), ST_X(nb.geom), ST_Y(nb.geom), s.geometry
    FROM diary.segments s
    JOIN graph_ends a ON a.segment_id = s.segment_id AND a.which = 0
    JOIN graph_ends b ON b.segment_id = s.segment_id AND b.which = 1
    JOIN diary.graph_nodes na ON na.node_id = a.cid + 1
    JOIN diary.graph_nodes nb ON nb.node_id = b.cid + 1;
    GET DIAGNOSTICS n = ROW_COUNT;
    DROP TABLE graph_ends;
    RETURN n;
END
$$;
COMMENT ON FUNCTION diary.rebuild_graph() IS 'Rebuilds the routing graph from diary.segments; returns the number of edges.';

CREATE FUNCTION diary.segments_changed_graph()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM diary.rebuild_graph();
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION diary.segments_changed_graph() IS 'Trigger: the graph follows every statement that changes segments.';

CREATE TRIGGER segments_graph AFTER INSERT OR DELETE OR UPDATE OF geometry, length_m ON diary.segments
    FOR EACH STATEMENT EXECUTE FUNCTION diary.segments_changed_graph();

-- The edges of one route request within an area, each with its current score (safety, the
-- decayed mean as analytics.current_decayed_mean computes it) and its cost at the safety weight,
-- into a temporary table: the primary and the alternative search share them, and scoring
-- 12 000 edges (numeric arithmetic) costs more than an A* search over them.
CREATE FUNCTION diary.load_route_edges(p_weight numeric, p_area geometry)
RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- variables, not a join with the settings: with plain parameters the pure functions inline
    half_life    double precision := diary.setting('decay_half_life_days');
    prior_mean   numeric := diary.setting('prior_mean');
    prior_weight numeric := diary.setting('prior_weight');
    n            integer;
BEGIN
    IF to_regclass('pg_temp.route_edges') IS NULL THEN
        CREATE TEMP TABLE route_edges (
            id bigint, source bigint, target bigint, cost double precision, x1 double precision, y1 double precision,
            x2 double precision, y2 double precision, segment_id varchar(50), length_m numeric, safety numeric
        ) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.route_edges;
    END IF;
    INSERT INTO pg_temp.route_edges
    SELECT m.edge_id, m.source, m.target, diary.calculate_segment_cost(m.length_m, m.safety, p_weight)::double precision,
           m.x1, m.y1, m.x2, m.y2, m.segment_id, m.length_m, m.safety
    -- OFFSET 0 keeps the score a column: flattened, its expression would be computed twice
    FROM (SELECT e.edge_id, e.source, e.target, e.x1, e.y1, e.x2, e.y2, e.segment_id, e.length_m,
                 diary.shrink((s.sum_wx / nullif(s.sum_w, 0))::numeric,
                              coalesce(s.sum_w * diary.decay_weight(extract(epoch FROM now() - s.ref_at) / 86400, half_life), 0)::numeric,
                              prior_mean, prior_weight) AS safety
          FROM diary.graph_edges e
          LEFT JOIN analytics.segment_sums s ON s.segment_id = e.segment_id
          WHERE e.geom && p_area
          OFFSET 0) m;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION diary.load_route_edges(numeric, geometry) IS
    'Fills the transaction''s temporary table route_edges with the graph edges within p_area, their current scores and costs at p_weight; returns their number.';

-- One A* search. Edges of p_penalized segments cost 1.5 times as much (the alternative rule).
-- p_edges_loaded: route_edges already holds this weight and area (the second search of a request).
CREATE FUNCTION diary.route_path(p_start bigint, p_end bigint, p_weight numeric, p_area geometry,
                                 p_penalized text[] DEFAULT '{}', p_edges_loaded boolean DEFAULT false)
RETURNS TABLE (seq integer, segment_id varchar, forward boolean, length_m numeric, safety numeric, geom geometry)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- Metres per degree along the area's most poleward parallel: the heuristic underestimates.
    factor double precision := 0.99 * 111320 * cos(radians(greatest(abs(ST_YMin(p_area)), abs(ST_YMax(p_area)))));
BEGIN
    IF NOT p_edges_loaded THEN
        PERFORM diary.load_route_edges(p_weight, p_area);
    END IF;
    RETURN QUERY
    SELECT r.seq, e.segment_id, r.node = e.source, e.length_m, e.safety, g.geom
    FROM pgr_aStar(format($q$
             SELECT id, source, target, cost * m AS cost, cost * m AS reverse_cost, x1, y1, x2, y2
             FROM pg_temp.route_edges
             CROSS JOIN LATERAL (SELECT CASE WHEN segment_id = ANY (%L::text[]) THEN 1.5 ELSE 1 END AS m) p$q$, p_penalized),
           p_start, p_end, directed => false, heuristic => 5, factor => factor) r
    JOIN pg_temp.route_edges e ON e.id = r.edge
    JOIN diary.graph_edges g ON g.edge_id = r.edge
    ORDER BY r.seq;
END
$$;
COMMENT ON FUNCTION diary.route_path(bigint, bigint, numeric, geometry, text[], boolean) IS
    'The cheapest path between two graph nodes within an area, segment by segment in travel order, with each segment''s current score (safety).';

-- The reference's route summary of one path; shared_m is the length it shares with p_penalized.
CREATE FUNCTION diary.route_summary(p_start bigint, p_end bigint, p_weight numeric, p_area geometry,
                                    p_penalized text[] DEFAULT '{}', p_edges_loaded boolean DEFAULT false)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT CASE WHEN count(*) > 0 THEN jsonb_build_object(
        'segment_ids', jsonb_agg(p.segment_id ORDER BY p.seq),
        'geometry', ST_AsGeoJSON(ST_MakeLine(array_agg(CASE WHEN p.forward THEN p.geom ELSE ST_Reverse(p.geom) END
                                                       ORDER BY p.seq)))::jsonb,
        'length_m', sum(p.length_m),
        'duration_walk_min', round(sum(p.length_m) / (5000 / 60.0), 1),
        'duration_bike_min', round(sum(p.length_m) / (15000 / 60.0), 1),
        'avg_safety', round(sum(p.safety * p.length_m) / sum(p.length_m), 2),
        'min_safety', round(min(p.safety), 2),
        'cost', round(sum(diary.calculate_segment_cost(p.length_m, p.safety, p_weight)), 2),
        'shared_m', coalesce(sum(p.length_m) FILTER (WHERE p.segment_id = ANY (p_penalized)), 0)) END
    FROM diary.route_path(p_start, p_end, p_weight, p_area, p_penalized, p_edges_loaded) p
$$;
COMMENT ON FUNCTION diary.route_summary(bigint, bigint, numeric, geometry, text[], boolean) IS
    'Summary of the cheapest path: segment ids, GeoJSON line, length, walking and cycling minutes, length-weighted and worst safety, cost.';

COMMIT;
