-- Deploy trafficsafety:diary/routing to pg
-- Graph maintenance and route search (reference §4): A* over the segment graph with the cost
-- length * (1 + w * (5 - decayed_mean) / 5), which is never below the length, so the straight-line
-- heuristic (scaled to metres from below) stays admissible.
--
-- The graph follows diary.segments per changed segment: an inserted segment's ends join the
-- nearest node within snap_tolerance_m or make new nodes, a deleted segment's edge goes (with the
-- nodes no other edge uses), a new geometry is both. Release 1.0 rebuilt the whole graph after
-- every statement under an EXCLUSIVE table lock taken at the statement's end, while the statement
-- already held row locks: an import and a delete in two transactions deadlocked. Every writer of
-- diary.segments now takes one transaction-level advisory lock before its statement touches a row,
-- so segment writers run one after the other and never wait for each other holding rows. Readers,
-- ratings and routes never take it.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TRIGGER segments_graph ON diary.segments;
DROP FUNCTION diary.segments_changed_graph();

CREATE INDEX idx_graph_edges_source ON diary.graph_edges (source);
CREATE INDEX idx_graph_edges_target ON diary.graph_edges (target);

-- The lock every graph writer takes first (held to the end of the transaction).
CREATE FUNCTION diary.lock_graph()
RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog AS $$
    SELECT pg_advisory_xact_lock(hashtext('diary.graph'))
$$;
COMMENT ON FUNCTION diary.lock_graph() IS
    'Takes the routing graph''s transaction-level advisory lock: writers of diary.segments and the graph run one after the other.';

-- The exact rebuild (after changing snap_tolerance_m, or to compare): end points clustered in one
-- pass, a cluster's node at their centroid.
CREATE OR REPLACE FUNCTION diary.rebuild_graph()
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- Degrees of latitude; along a parallel a degree is shorter, so the snap is never wider than asked.
    tol double precision := diary.setting('snap_tolerance_m') / 111320.0;
    n   integer;
BEGIN
    PERFORM diary.lock_graph();
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
COMMENT ON FUNCTION diary.rebuild_graph() IS
    'Rebuilds the whole routing graph from diary.segments (end points within snap_tolerance_m clustered in one pass); returns the number of edges. Not needed after segment writes: triggers keep the graph current.';

-- Edges for the given segments (which have none yet). Ends within snap_tolerance_m of an existing
-- node join it (the nearest); the other ends are clustered among themselves into new nodes. Ids
-- continue after the largest: the caller holds the graph lock.
CREATE FUNCTION diary.graph_add_segments(p_segment_ids text[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    tol double precision := diary.setting('snap_tolerance_m') / 111320.0;
    n   integer;
BEGIN
    CREATE TEMP TABLE graph_new_ends ON COMMIT DROP AS
    SELECT e.segment_id, e.which, e.p, m.node_id
    FROM (SELECT segment_id, 0 AS which, ST_StartPoint(geometry) AS p FROM diary.segments WHERE segment_id = ANY (p_segment_ids)
          UNION ALL
          SELECT segment_id, 1, ST_EndPoint(geometry) FROM diary.segments WHERE segment_id = ANY (p_segment_ids)) e
    LEFT JOIN LATERAL (SELECT n.node_id FROM diary.graph_nodes n WHERE ST_DWithin(n.geom, e.p, tol)
                       ORDER BY n.geom <-> e.p, n.node_id LIMIT 1) m ON true;
    ANALYZE graph_new_ends;  -- an import adds thousands: without statistics the joins below loop
    WITH unmatched AS (
        SELECT segment_id, which, p, ST_ClusterDBSCAN(p, tol, 1) OVER () AS cid FROM graph_new_ends WHERE node_id IS NULL
    ), made AS (
        SELECT cid, (SELECT coalesce(max(node_id), 0) FROM diary.graph_nodes) + dense_rank() OVER (ORDER BY cid) AS node_id,
               ST_Centroid(ST_Collect(p)) AS geom
        FROM unmatched GROUP BY cid
    ), ins AS (
        INSERT INTO diary.graph_nodes (node_id, geom) SELECT node_id, geom FROM made
    )
    UPDATE graph_new_ends g SET node_id = made.node_id
    FROM unmatched u JOIN made USING (cid)
    WHERE g.segment_id = u.segment_id AND g.which = u.which;
    INSERT INTO diary.graph_edges (edge_id, segment_id, source, target, length_m, x1, y1, x2, y2, geom)
    SELECT (SELECT coalesce(max(edge_id), 0) FROM diary.graph_edges) + row_number() OVER (ORDER BY s.segment_id),
           s.segment_id, a.node_id, b.node_id, s.length_m,
           ST_X(na.geom), ST_Y(na.geom), ST_X(nb.geom), ST_Y(nb.geom), s.geometry
    FROM diary.segments s
    JOIN graph_new_ends a ON a.segment_id = s.segment_id AND a.which = 0
    JOIN graph_new_ends b ON b.segment_id = s.segment_id AND b.which = 1
    JOIN diary.graph_nodes na ON na.node_id = a.node_id
    JOIN diary.graph_nodes nb ON nb.node_id = b.node_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    DROP TABLE graph_new_ends;
    RETURN n;
END
$$;
COMMENT ON FUNCTION diary.graph_add_segments(text[]) IS
    'Adds the edges of the given segments to the routing graph, their ends joined to the nearest node within snap_tolerance_m or to new nodes; returns the number of edges added.';

-- Deleting edges (directly, by the cascade from diary.segments, or by a rebuild) drops the nodes
-- no edge uses any more.
CREATE FUNCTION diary.graph_edges_deleted()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM diary.graph_nodes n
    WHERE n.node_id IN (SELECT source FROM gone UNION SELECT target FROM gone)
      AND NOT EXISTS (SELECT FROM diary.graph_edges e WHERE e.source = n.node_id)
      AND NOT EXISTS (SELECT FROM diary.graph_edges e WHERE e.target = n.node_id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION diary.graph_edges_deleted() IS 'Trigger: drops the graph nodes that deleted edges leave unused.';
CREATE TRIGGER graph_edges_orphans AFTER DELETE ON diary.graph_edges
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION diary.graph_edges_deleted();

CREATE FUNCTION diary.segments_lock_graph()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM diary.lock_graph();
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION diary.segments_lock_graph() IS
    'Trigger: a statement writing diary.segments takes the graph lock before its first row.';
CREATE TRIGGER segments_graph_lock BEFORE INSERT OR DELETE OR UPDATE OF geometry, length_m ON diary.segments
    FOR EACH STATEMENT EXECUTE FUNCTION diary.segments_lock_graph();

CREATE FUNCTION diary.segments_changed_graph()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    moved text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM diary.graph_add_segments(ARRAY(SELECT segment_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        -- a new length only changes the edge; a new geometry (or id) replaces it
        UPDATE diary.graph_edges e SET length_m = n.length_m
        FROM old_rows o JOIN new_rows n USING (segment_id)
        WHERE e.segment_id = n.segment_id AND n.length_m <> o.length_m AND ST_Equals(n.geometry, o.geometry);
        moved := ARRAY(SELECT n.segment_id FROM new_rows n LEFT JOIN old_rows o USING (segment_id)
                       WHERE o.segment_id IS NULL OR NOT ST_OrderingEquals(n.geometry, o.geometry));
        IF moved <> '{}' THEN
            DELETE FROM diary.graph_edges WHERE segment_id = ANY (moved);
            PERFORM diary.graph_add_segments(moved);
        END IF;
    END IF;
    -- DELETE: the foreign key's cascade removed the edges, graph_edges_orphans their lone nodes
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION diary.segments_changed_graph() IS
    'Trigger: the routing graph follows each inserted, updated and deleted segment (only those).';
CREATE TRIGGER segments_graph_insert AFTER INSERT ON diary.segments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.segments_changed_graph();
CREATE TRIGGER segments_graph_update AFTER UPDATE ON diary.segments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.segments_changed_graph();

-- The edges of one route request within an area, each with its current score (safety, the
-- decayed mean as analytics.current_decayed_mean computes it) and its cost at the safety weight,
-- into a temporary table: the primary and the alternative search share them, and scoring
-- 12 000 edges (numeric arithmetic) costs more than an A* search over them.
CREATE OR REPLACE FUNCTION diary.load_route_edges(p_weight numeric, p_area geometry)
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
CREATE OR REPLACE FUNCTION diary.route_path(p_start bigint, p_end bigint, p_weight numeric, p_area geometry,
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
CREATE OR REPLACE FUNCTION diary.route_summary(p_start bigint, p_end bigint, p_weight numeric, p_area geometry,
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
