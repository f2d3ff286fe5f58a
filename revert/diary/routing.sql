-- Revert trafficsafety:diary/routing from pg
-- Back to release 1.0 (diary/routing@v1.0.0): the whole graph rebuilt after every statement.
-- The route search functions are unchanged by the rework.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TRIGGER segments_graph_update ON diary.segments;
DROP TRIGGER segments_graph_insert ON diary.segments;
DROP TRIGGER segments_graph_lock ON diary.segments;
DROP TRIGGER graph_edges_orphans ON diary.graph_edges;
DROP FUNCTION diary.segments_changed_graph();
DROP FUNCTION diary.segments_lock_graph();
DROP FUNCTION diary.graph_edges_deleted();
DROP FUNCTION diary.graph_add_segments(text[]);
DROP INDEX diary.idx_graph_edges_target;
DROP INDEX diary.idx_graph_edges_source;

CREATE OR REPLACE FUNCTION diary.rebuild_graph()
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
DROP FUNCTION diary.lock_graph();

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

COMMIT;
