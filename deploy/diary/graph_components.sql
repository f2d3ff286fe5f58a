-- Deploy trafficsafety:diary/graph_components to pg
-- Connected components of the routing graph. Real street data is not one network: an import of
-- pieces whose ends do not meet (gaps of tens of metres, far beyond snap_tolerance_m) leaves
-- islands, and a route end snapped to the nearest node may land on one and find no path. Both
-- functions count components with pgRouting (Boost, one pass over the edges) when asked instead of
-- storing a component per node: a delete can split a component, which no per-segment update keeps
-- cheaply, and a request's search area is what its A* can actually reach.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Reads pg_temp.route_edges as diary.load_route_edges filled it for the request. Without
-- p_within_component: the nearest nodes only (api.route tries them first; when a path joins them,
-- their component is the one the rule picks anyway, and no components are counted).
CREATE FUNCTION diary.snap_route_ends(p_origin geometry, p_destination geometry, p_max_m double precision,
                                      p_within_component boolean DEFAULT true)
RETURNS TABLE (start_node bigint, end_node bigint, joined boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    -- nodes within p_max_m of either end: a box in degrees (a degree of longitude is the shorter
    -- one) to use the index, then the exact geodesic distance
    IF to_regclass('pg_temp.route_ends') IS NULL THEN
        CREATE TEMP TABLE route_ends (which integer, node_id bigint, dist double precision) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.route_ends;
    END IF;
    INSERT INTO pg_temp.route_ends
    SELECT e.which, n.node_id, ST_Distance(n.geom::geography, e.p::geography)
    FROM (VALUES (0, p_origin), (1, p_destination)) e(which, p)
    JOIN diary.graph_nodes n
      ON n.geom && ST_Expand(e.p, p_max_m / (111320.0 * greatest(cos(radians(abs(ST_Y(e.p)))), 0.01)))
     AND ST_DWithin(n.geom::geography, e.p::geography, p_max_m);
    IF NOT p_within_component THEN
        RETURN QUERY
        SELECT (SELECT r.node_id FROM pg_temp.route_ends r WHERE r.which = 0 ORDER BY r.dist, r.node_id LIMIT 1),
               (SELECT r.node_id FROM pg_temp.route_ends r WHERE r.which = 1 ORDER BY r.dist, r.node_id LIMIT 1), NULL::boolean;
        RETURN;
    END IF;
    RETURN QUERY
    WITH comp AS (
        SELECT c.node, c.component, count(*) OVER (PARTITION BY c.component) AS size
        FROM pgr_connectedComponents(
            'SELECT id, source, target, 1.0::float8 AS cost, 1.0::float8 AS reverse_cost FROM pg_temp.route_edges') c
    ), nearest AS (   -- per end and component, its nearest node
        SELECT DISTINCT ON (r.which, c.component) r.which, c.component, c.size, r.node_id, r.dist
        FROM pg_temp.route_ends r JOIN comp c ON c.node = r.node_id
        ORDER BY r.which, c.component, r.dist, r.node_id
    ), best AS (      -- a component near both ends: the least walking to and from it, then the largest
        SELECT o.node_id AS start_node, d.node_id AS end_node, true AS joined
        FROM nearest o JOIN nearest d ON d.component = o.component AND d.which = 1
        WHERE o.which = 0
        ORDER BY o.dist + d.dist, o.size DESC, o.component
        LIMIT 1
    )
    SELECT * FROM best
    UNION ALL   -- none: the nearest nodes, for the caller to say there is no path
    SELECT (SELECT r.node_id FROM pg_temp.route_ends r WHERE r.which = 0 ORDER BY r.dist, r.node_id LIMIT 1),
           (SELECT r.node_id FROM pg_temp.route_ends r WHERE r.which = 1 ORDER BY r.dist, r.node_id LIMIT 1), false
    WHERE NOT EXISTS (SELECT FROM best);
END
$$;
COMMENT ON FUNCTION diary.snap_route_ends(geometry, geometry, double precision, boolean) IS
    'Graph nodes for a route''s ends among the edges loaded into route_edges: the nearest nodes (within p_max_m) of the one component that joins both ends, the one with the shortest distances to them, else the larger; joined false (nearest nodes, or NULL when none within p_max_m) when no component joins them. With p_within_component false: the nearest nodes, joined NULL.';

CREATE FUNCTION diary.graph_pieces(p_segment_ids text[])
RETURNS TABLE (components integer, largest_segments integer, pieces integer, piece_segments integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH comp AS (
        SELECT e.segment_id, c.component
        FROM pgr_connectedComponents(
            'SELECT edge_id AS id, source, target, 1.0::float8 AS cost, 1.0::float8 AS reverse_cost FROM diary.graph_edges') c
        JOIN diary.graph_edges e ON e.source = c.node
    ), largest AS (
        SELECT component, count(*) AS n FROM comp GROUP BY component ORDER BY n DESC, component LIMIT 1
    ), apart AS (
        SELECT component FROM comp
        WHERE segment_id = ANY (p_segment_ids) AND component IS DISTINCT FROM (SELECT component FROM largest)
    )
    SELECT (SELECT count(DISTINCT component) FROM comp)::integer,
           coalesce((SELECT n FROM largest), 0)::integer,
           (SELECT count(DISTINCT component) FROM apart)::integer,
           (SELECT count(*) FROM apart)::integer
$$;
COMMENT ON FUNCTION diary.graph_pieces(text[]) IS
    'Connected components of the whole routing graph, the segments of the largest, and how many pieces (components) and segments of p_segment_ids are not connected to the largest.';

COMMIT;
