-- Real street data is not one network (issue 17, finding 6): 246 imported Philadelphia segments,
-- consecutive pieces ~68 m apart, made 228 disconnected components, and 19 of 80 Center City
-- origin/destination pairs answered "no path" because a route end snapped to the nearest node,
-- even one on an isolated piece. The fixture rebuilds that situation:
--
--   a Center City-like grid, 18 × 12 streets, blocks ≈ 180 m × 155 m (402 segments), every
--   segment's ends moved up to 0.5 m so that no two touch exactly (snap_tolerance_m joins them);
--   246 pieces along two mid-block lines, ≈ 60 m long, ≈ 68 m apart, none meeting the grid,
--   every 13th reaching to 0.7 m of the next (one piece of two): 227 pieces apart from the grid.
--
-- 80 random origin/destination pairs inside the grid: release 1.0's snapping (the nearest node)
-- is measured in the same run next to api.route's (the nearest nodes of one component that joins
-- both ends). Also: the graph kept per changed segment equals a full rebuild.
BEGIN;
SELECT plan(22);

CREATE FUNCTION pg_temp.jit(k text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT ((hashtext(k) & 1023) / 1023.0 - 0.5) * 1.0 / 111320
$$;
INSERT INTO diary.segments (segment_id, street, length_m, geometry)
SELECT id, street, round(ST_Length(g::geography)::numeric, 2), g FROM (
    SELECT id, street, ST_SetSRID(ST_MakeLine(
               ST_MakePoint(x1 + pg_temp.jit(id || 'ax'), y1 + pg_temp.jit(id || 'ay')),
               ST_MakePoint(x2 + pg_temp.jit(id || 'bx'), y2 + pg_temp.jit(id || 'by'))), 4326) AS g
    FROM (SELECT format('cc-h-%s-%s', i, j) AS id, format('Street %s', j) AS street,
                 -75.180 + i * 0.0021 AS x1, 39.940 + j * 0.0014 AS y1, -75.180 + (i + 1) * 0.0021 AS x2, 39.940 + j * 0.0014 AS y2
          FROM generate_series(0, 16) i, generate_series(0, 11) j
          UNION ALL
          SELECT format('cc-v-%s-%s', i, j), format('Avenue %s', i),
                 -75.180 + i * 0.0021, 39.940 + j * 0.0014, -75.180 + i * 0.0021, 39.940 + (j + 1) * 0.0014
          FROM generate_series(0, 17) i, generate_series(0, 10) j) s) s;
-- 246 imported pieces along two mid-block lines running 6 km beyond the grid on both sides:
-- ≈ 60 m long, consecutive ones ≈ 68 m apart, none meeting a street of the grid.
INSERT INTO diary.segments (segment_id, street, length_m, geometry)
SELECT format('cc-p-%s', k), format('Alley %s', j), round(ST_Length(g::geography)::numeric, 2), g
FROM (SELECT row_number() OVER (ORDER BY j, m) AS k, j,
             -- every 13th piece reaches to 0.7 m of the next one: the pair is one piece
             ST_SetSRID(ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x + CASE WHEN (j * 23 + m) % 13 = 6 THEN 0.0014915 ELSE 0.0007 END, y)), 4326) AS g
      FROM unnest(ARRAY[2, 8]) j, generate_series(-40, 82) m,
           LATERAL (SELECT -75.1795 + m * 0.0015 AS x, 39.940 + (j + 0.5) * 0.0014 AS y) p) q
WHERE k <= 246;

SELECT results_eq($$SELECT * FROM diary.graph_pieces(ARRAY(SELECT segment_id FROM diary.segments WHERE segment_id LIKE 'cc-p-%'))$$,
                  $$VALUES (228, 402, 227, 246)$$,
                  'diary.graph_pieces: 228 components; the grid is the largest (402 segments); the 246 pieces make 227 apart from it');
SELECT results_eq($$SELECT pieces, piece_segments FROM diary.graph_pieces(ARRAY(SELECT segment_id FROM diary.segments WHERE segment_id LIKE 'cc-h-%'))$$,
                  $$VALUES (0, 0)$$, 'diary.graph_pieces: ends up to 1 m apart are joined within snap_tolerance_m: the grid is one component');
SELECT is((SELECT count(*)::integer FROM diary.graph_nodes), 12 * 18 + 2 * 246 - 19,
          'one node per grid crossing and per piece end, the ends 0.7 m apart shared');

INSERT INTO auth.users (user_id, email, password_hash, api_tier) VALUES ('00000000-0000-0000-0000-0000000002a1', 'pieces@example.org', 'x', 'enterprise');
SELECT setseed(0.17);
CREATE TEMP TABLE od AS
SELECT i, ARRAY[round((-75.178 + random() * 0.032)::numeric, 6), round((39.941 + random() * 0.014)::numeric, 6)] AS o,
          ARRAY[round((-75.178 + random() * 0.032)::numeric, 6), round((39.941 + random() * 0.014)::numeric, 6)] AS d
FROM generate_series(1, 80) i;
GRANT SELECT ON od TO web_user;
-- release 1.0's snapping: the nearest node, whatever piece it lies on
CREATE FUNCTION pg_temp.nearest_node_fails() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE r record; n integer := 0; a bigint; b bigint; area geometry;
BEGIN
    FOR r IN SELECT ST_SetSRID(ST_MakePoint(o[1], o[2]), 4326) AS o, ST_SetSRID(ST_MakePoint(d[1], d[2]), 4326) AS d FROM od LOOP
        SELECT node_id INTO a FROM diary.graph_nodes ORDER BY geom <-> r.o LIMIT 1;
        SELECT node_id INTO b FROM diary.graph_nodes ORDER BY geom <-> r.d LIMIT 1;
        area := ST_Expand(ST_Envelope(ST_MakeLine(r.o, r.d)), 2000 / (111320.0 * cos(radians(40))));
        IF a = b OR diary.route_summary(a, b, 0.5, area) IS NULL THEN n := n + 1; END IF;
    END LOOP;
    RETURN n;
END $$;
CREATE FUNCTION pg_temp.route_fails() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE r record; n integer := 0;
BEGIN
    FOR r IN SELECT * FROM od LOOP
        BEGIN
            PERFORM api.route(r.o, r.d, include_alternative => false);
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pair %: %', r.i, SQLERRM;
            n := n + 1;
        END;
    END LOOP;
    RETURN n;
END $$;

SELECT pg_temp.nearest_node_fails() AS before_fails \gset
SELECT diag(format('80 Center City pairs: %s answer "no path" with the nearest-node snapping of release 1.0', :before_fails));
SELECT cmp_ok(:before_fails, '>=', 19, 'release 1.0''s snapping (the nearest node, whatever piece it lies on): at least 19 of 80 pairs find no path');
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000002a1');
SELECT is(pg_temp.route_fails(), 0, 'api.route: every one of the 80 pairs has a route');
RESET ROLE;

-- An origin 3 m from a piece's end, a destination on the grid.
SELECT ST_X(ST_StartPoint(geometry)) AS px, ST_Y(ST_StartPoint(geometry)) AS py FROM diary.segments WHERE segment_id = 'cc-p-50' \gset
SELECT ST_SetSRID(ST_MakePoint(:px, :py + 3 / 111320.0), 4326) AS o, 'SRID=4326;POINT(-75.150 39.950)'::geometry AS d \gset
SELECT (SELECT node_id FROM diary.graph_nodes ORDER BY geom <-> :'o'::geometry LIMIT 1) AS nearest_o,
       ST_Expand(ST_Envelope(ST_MakeLine(:'o'::geometry, :'d'::geometry)), 0.03) AS area \gset
SELECT ok(EXISTS (SELECT FROM diary.graph_edges WHERE segment_id = 'cc-p-50' AND :nearest_o IN (source, target)),
          'the origin''s nearest node is the isolated piece''s end');
SELECT diary.load_route_edges(0.5, :'area');
SELECT results_eq(format($$SELECT start_node <> %s, joined FROM diary.snap_route_ends(%L, %L, 500)$$, :nearest_o, :'o', :'d'),
                  $$VALUES (true, true)$$, 'diary.snap_route_ends: the origin snaps to a node of the grid, which reaches the destination');
SELECT results_eq(format($$SELECT start_node, joined FROM diary.snap_route_ends(%L, %L, 500, p_within_component => false)$$, :'o', :'d'),
                  format($$VALUES (%s::bigint, NULL::boolean)$$, :nearest_o),
                  'diary.snap_route_ends without p_within_component: the nearest nodes (what api.route tries first)');
SELECT ok((SELECT ST_DWithin(n.geom::geography, :'o'::geography, 100) FROM diary.snap_route_ends(:'o', :'d', 500) s
           JOIN diary.graph_nodes n ON n.node_id = s.start_node),
          'diary.snap_route_ends: the grid''s nearest node, less than 100 m away');
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000002a1');
SELECT ok((SELECT bool_and(s NOT LIKE 'cc-p-%') FROM jsonb_array_elements_text(
               api.route(ARRAY[:px, :py + 3 / 111320.0]::numeric[], '{-75.150, 39.950}', include_alternative => false) -> 'primary' -> 'segment_ids') s),
          'api.route from beside an isolated piece: a route along the grid');
RESET ROLE;
-- Both ends beside the same joined pair of pieces, 6 km west of the grid: the pair is the route.
SELECT ST_X(ST_StartPoint(geometry)) AS qx, ST_Y(ST_StartPoint(geometry)) AS qy, ST_X(ST_EndPoint(geometry)) AS rx
FROM diary.segments WHERE segment_id = (SELECT min(segment_id) FROM diary.segments WHERE segment_id LIKE 'cc-p-%' AND length_m > 100) \gset
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000002a1');
SELECT ok(jsonb_array_length(api.route(ARRAY[:qx, :qy]::numeric[], ARRAY[:rx, :qy]::numeric[], include_alternative => false)
                             -> 'primary' -> 'segment_ids') >= 1,
          'api.route: two ends joined by a piece away from the grid route along it');
SELECT throws_ok(format($$SELECT api.route(ARRAY[%s, %s]::numeric[], '{-75.150, 39.950}')$$, :qx, :qy), 'PT404',
                 'destination: no path along rated streets from origin',
                 'api.route: no component joins an end 6 km off the grid to the grid: no path (not a wrong route)');
SELECT throws_ok($$SELECT api.route('{-75.16, 39.92}', '{-75.150, 39.950}')$$, 'PT404', 'origin: no street within 500 m',
                 'api.route: an origin with no node within route_snap_max_m');
SELECT throws_ok($$SELECT api.route('{-75.150, 39.950}', '{-75.10, 39.99}')$$, 'PT404', 'destination: no street within 500 m',
                 'api.route: a destination with no node within route_snap_max_m');
RESET ROLE;

-- The graph kept per changed segment is the graph a full rebuild makes: the same ends share nodes.
CREATE FUNCTION pg_temp.shared_ends() RETURNS SETOF text[] LANGUAGE sql AS $$
    SELECT array_agg(x ORDER BY x) FROM (
        SELECT source AS node, segment_id || ':0' AS x FROM diary.graph_edges
        UNION ALL SELECT target, segment_id || ':1' FROM diary.graph_edges) e
    GROUP BY node
$$;
CREATE TEMP TABLE loaded AS SELECT * FROM pg_temp.shared_ends() ends;
CREATE TEMP TABLE gone AS SELECT * FROM diary.segments WHERE segment_id IN ('cc-h-3-4', 'cc-v-5-5', 'cc-p-10', 'cc-p-11');
DELETE FROM diary.segments WHERE segment_id IN (SELECT segment_id FROM gone);
SELECT is_empty($$SELECT FROM diary.graph_nodes n WHERE NOT EXISTS (SELECT FROM diary.graph_edges e WHERE n.node_id IN (e.source, e.target))$$,
                'deleting segments leaves no node without edges');
SELECT is((SELECT count(*)::integer FROM diary.graph_edges), 644, 'deleting segments deletes their edges');
UPDATE diary.segments SET geometry = ST_Translate(geometry, 0.0005, 0) WHERE segment_id = 'cc-h-7-7';
SELECT is((SELECT pieces FROM diary.graph_pieces('{cc-h-7-7}')), 1, 'a segment moved away is a piece apart');
UPDATE diary.segments SET geometry = ST_Translate(geometry, -0.0005, 0) WHERE segment_id = 'cc-h-7-7';
INSERT INTO diary.segments SELECT * FROM gone;
SELECT set_eq($$SELECT * FROM pg_temp.shared_ends()$$, $$SELECT * FROM loaded$$,
              'deleted, moved, moved back and inserted again: the ends share the nodes they shared');
SELECT is(diary.rebuild_graph(), 648, 'diary.rebuild_graph: one edge per segment');
SELECT set_eq($$SELECT * FROM pg_temp.shared_ends()$$, $$SELECT * FROM loaded$$,
              'the graph kept per segment has the nodes of a full rebuild (the same ends share a node)');

-- diary.graph_add_segments, which the segment triggers call: a segment without edges gets its
-- edge back, its ends joined to the nodes they shared.
CREATE TEMP TABLE kept_edge AS SELECT source, target FROM diary.graph_edges WHERE segment_id = 'cc-h-3-3';
DELETE FROM diary.graph_edges WHERE segment_id = 'cc-h-3-3';  -- its nodes stay: the avenues end there too
SELECT is(diary.graph_add_segments('{cc-h-3-3}'), 1, 'diary.graph_add_segments: one edge for the segment');
SELECT results_eq($$SELECT source, target FROM diary.graph_edges WHERE segment_id = 'cc-h-3-3'$$,
                  $$SELECT source, target FROM kept_edge$$, 'diary.graph_add_segments: its ends join the nodes within the tolerance');

SELECT * FROM finish();
ROLLBACK;
