-- Segment import, the routing graph and the route search, called directly:
-- diary.import_segments, diary.rebuild_graph, the triggers keeping the graph (diary.segments_changed_graph,
-- diary.segments_lock_graph, diary.graph_edges_deleted),
-- diary.route_path and diary.route_summary, on a small graph with unrated segments (score 3.0):
--
--        D                 bottom A-B-C: 171 m
--      /   \               top    A-D-C: 204 m; D-C starts 0.4 m off D (snapped)
--     A--B--C              F-G: an island 1 km away
BEGIN;
SELECT plan(63);
SET LOCAL client_min_messages = warning;  -- the import's NOTICE about graph pieces

-- A FeatureCollection of LineString features given as (segment_id, street, WKT, extra properties).
CREATE FUNCTION pg_temp.fc(features jsonb[]) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('type', 'FeatureCollection', 'features', to_jsonb(features))
$$;
CREATE FUNCTION pg_temp.feature(id text, street text, wkt text, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(ST_GeomFromText(wkt))::jsonb,
                              'properties', jsonb_strip_nulls(jsonb_build_object('segment_id', id, 'street', street)) || extra)
$$;

-- diary.import_segments ------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM diary.import_segments('{"type": "Feature"}')$$, '22023', 'file: must be a GeoJSON FeatureCollection',
                 'diary.import_segments: a single Feature is not a FeatureCollection');
SELECT throws_ok($$SELECT * FROM diary.import_segments('[]')$$, '22023', 'file: must be a GeoJSON FeatureCollection',
                 'diary.import_segments: a JSON array is refused');
SELECT throws_ok($$SELECT * FROM diary.import_segments('{"type": "FeatureCollection", "features": {}}')$$, '22023',
                 'file: must be a GeoJSON FeatureCollection', 'diary.import_segments: features must be an array');
SELECT throws_ok($$SELECT * FROM diary.import_segments(NULL)$$, '22023', 'file: must be a GeoJSON FeatureCollection',
                 'diary.import_segments: NULL is refused');
SELECT is_empty($$SELECT * FROM diary.import_segments('{"type": "FeatureCollection", "features": []}')$$,
                'diary.import_segments: an empty collection imports nothing');

SELECT results_eq(
    format($$SELECT * FROM diary.import_segments(%L)$$, pg_temp.fc(ARRAY[
        pg_temp.feature('g-ab', 'Bottom St', 'LINESTRING(-75.000 40.000, -74.999 40.000)', '{"neighborhood": "Test"}'),
        pg_temp.feature('g-bc', 'Bottom St', 'LINESTRING(-74.999 40.000, -74.998 40.000)'),
        pg_temp.feature('g-ad', 'Top St', 'LINESTRING(-75.000 40.000, -74.999 40.0005)', '{"length_m": 120}'),
        pg_temp.feature('g-dc', 'Top St', 'LINESTRING(-74.998995 40.0005, -74.998 40.000)'),
        pg_temp.feature('g-fg', 'Island St', 'LINESTRING(-74.990 40.005, -74.989 40.005)'),
        pg_temp.feature('bad-point', 'X St', 'POINT(-75 40)'),
        '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[-75, 40]]}, "properties": {"segment_id": "bad-short", "street": "X St"}}',
        pg_temp.feature('bad-range', 'X St', 'LINESTRING(-75 40, -181 40)'),
        pg_temp.feature('bad-zero', 'X St', 'LINESTRING(-75 40, -75 40)'),
        pg_temp.feature(NULL, 'X St', 'LINESTRING(-75 40, -75.1 40)'),
        pg_temp.feature(repeat('x', 51), 'X St', 'LINESTRING(-75 40, -75.1 40)'),
        pg_temp.feature('bad-street', ' ', 'LINESTRING(-75 40, -75.1 40)'),
        pg_temp.feature('bad-hood', 'X St', 'LINESTRING(-75 40, -75.1 40)', jsonb_build_object('neighborhood', repeat('n', 101))),
        pg_temp.feature('bad-length', 'X St', 'LINESTRING(-75 40, -75.1 40)', '{"length_m": "120"}'),
        pg_temp.feature('bad-length0', 'X St', 'LINESTRING(-75 40, -75.1 40)', '{"length_m": 0}'),
        pg_temp.feature('g-ab', 'Again St', 'LINESTRING(-75 40, -75.001 40)')])),
    $$VALUES ('bad-point', 'rejected', 'geometry: must be a LineString'),
             ('bad-short', 'rejected', 'geometry: at least two points of WGS84 longitude, latitude'),
             ('bad-range', 'rejected', 'geometry: at least two points of WGS84 longitude, latitude'),
             ('bad-zero', 'rejected', 'geometry: has zero length'),
             ('feature 10', 'rejected', 'segment_id: required, at most 50 characters'),
             (repeat('x', 51), 'rejected', 'segment_id: required, at most 50 characters'),
             ('bad-street', 'rejected', 'street: required, at most 200 characters'),
             ('bad-hood', 'rejected', 'neighborhood: at most 100 characters'),
             ('bad-length', 'rejected', 'length_m: must be a positive number of metres below 1 000 000'),
             ('bad-length0', 'rejected', 'length_m: must be a positive number of metres below 1 000 000'),
             ('g-ab', 'rejected', 'segment_id: appears more than once in the file'),
             ('g-ab', 'inserted', NULL), ('g-bc', 'inserted', NULL), ('g-ad', 'inserted', NULL),
             ('g-dc', 'inserted', NULL), ('g-fg', 'inserted', NULL)$$,
    'diary.import_segments: one row per feature, each bad one rejected with its field and rule, the good ones inserted');
SELECT is((SELECT count(*)::integer FROM diary.segments), 5, 'diary.import_segments: rejected features are not stored');

-- Features release 1.0 let through to the upsert, which then refused the whole file unnamed.
SELECT results_eq(
    format($$SELECT * FROM diary.import_segments(%L)$$, pg_temp.fc(ARRAY[
        '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[-75, 40, 12.5], [-75.001, 40, 13]]}, "properties": {"segment_id": "bad-3d", "street": "X St"}}',
        pg_temp.feature('bad-long', 'X St', 'LINESTRING(-75 40, -75 40.05)'),
        pg_temp.feature('bad-long-given', 'X St', 'LINESTRING(-75 40, -75 40.001)', '{"length_m": 5000.01}'),
        pg_temp.feature('bad-invalid', 'X St', 'LINESTRING(-75 40, -75 40, -75 40)', '{"length_m": 12}'),
        pg_temp.feature('g-ok', 'Fine St', 'LINESTRING(-74.980 40.010, -74.979 40.010)')])),
    $$VALUES ('bad-3d', 'rejected', 'geometry: positions must be [longitude, latitude] (no elevation: 3-D LineStrings are not accepted)'),
             ('bad-long', 'rejected', 'length_m: 5551.76 m, longer than a segment may be (segment_max_length_m 5000 m)'),
             ('bad-long-given', 'rejected', 'length_m: 5000.01 m, longer than a segment may be (segment_max_length_m 5000 m)'),
             ('bad-invalid', 'rejected', 'geometry: not a valid LineString (Too few points in geometry component[-75 40])'),
             ('g-ok', 'inserted', NULL)$$,
    'diary.import_segments: a 3-D, an over-long and an invalid feature are rejected with id and reason, the rest of the file imports');
SELECT ok(EXISTS (SELECT FROM diary.graph_edges WHERE segment_id = 'g-ok'), 'diary.import_segments: the good feature is in the graph');
DELETE FROM diary.segments WHERE segment_id = 'g-ok';
SELECT results_eq(
    $$SELECT street::text, neighborhood::text, length_m FROM diary.segments WHERE segment_id IN ('g-ab', 'g-ad') ORDER BY segment_id$$,
    $$VALUES ('Bottom St', 'Test', round(ST_Length('SRID=4326;LINESTRING(-75.000 40.000, -74.999 40.000)'::geography)::numeric, 2)),
             ('Top St', NULL, 120.00)$$,
    'diary.import_segments: the first of a repeated id is kept; length_m given is used, else the geodesic length');
SELECT is((SELECT ST_SRID(geometry) FROM diary.segments WHERE segment_id = 'g-ab'), 4326, 'diary.import_segments stores WGS84 geometries');

SELECT results_eq(
    format($$SELECT outcome, count(*)::integer FROM diary.import_segments(%L) GROUP BY 1$$, pg_temp.fc(ARRAY[
        pg_temp.feature('g-ab', 'Bottom St', 'LINESTRING(-75.000 40.000, -74.999 40.000)', '{"neighborhood": "Test"}'),
        pg_temp.feature('g-bc', 'Bottom St', 'LINESTRING(-74.999 40.000, -74.998 40.000)')])),
    $$VALUES ('unchanged', 2)$$,
    'diary.import_segments: importing the same features again reports them unchanged (and can run twice in a transaction)');
UPDATE diary.segments SET updated_at = now() - interval '1 day' WHERE segment_id = 'g-bc';
SELECT results_eq(
    format($$SELECT segment_id, outcome FROM diary.import_segments(%L)$$, pg_temp.fc(ARRAY[
        pg_temp.feature('g-bc', 'Bottom Street', 'LINESTRING(-74.999 40.000, -74.998 40.000)'),
        pg_temp.feature('g-ad', 'Top St', 'LINESTRING(-75.000 40.000, -74.999 40.0005)')])),
    $$VALUES ('g-bc', 'updated'), ('g-ad', 'updated')$$,
    'diary.import_segments: a changed street, or a length now computed instead of given, is an update');
SELECT results_eq(
    $$SELECT street::text, updated_at FROM diary.segments WHERE segment_id = 'g-bc'$$,
    $$VALUES ('Bottom Street', now())$$, 'diary.import_segments: the updated row has the new street and updated_at');
SELECT is((SELECT length_m FROM diary.segments WHERE segment_id = 'g-ad'),
          round(ST_Length('SRID=4326;LINESTRING(-75.000 40.000, -74.999 40.0005)'::geography)::numeric, 2),
          'diary.import_segments: without length_m the length is computed from the geometry');

-- diary.rebuild_graph and diary.segments_changed_graph ------------------------------------------------
SELECT trigger_is('diary', 'segments', 'segments_graph_insert', 'diary', 'segments_changed_graph',
                  'segments_graph_insert runs diary.segments_changed_graph');
SELECT trigger_is('diary', 'segments', 'segments_graph_update', 'diary', 'segments_changed_graph',
                  'segments_graph_update runs diary.segments_changed_graph');
SELECT trigger_is('diary', 'segments', 'segments_graph_lock', 'diary', 'segments_lock_graph',
                  'segments_graph_lock runs diary.segments_lock_graph');
SELECT trigger_is('diary', 'graph_edges', 'graph_edges_orphans', 'diary', 'graph_edges_deleted',
                  'graph_edges_orphans runs diary.graph_edges_deleted');
SELECT is((SELECT count(*)::integer FROM diary.graph_edges), 5,
          'diary.segments_changed_graph: the imported segments are already edges of the graph');
SELECT is((SELECT count(*)::integer FROM diary.graph_nodes), 6,
          'diary.rebuild_graph: 10 end points make 6 nodes (A, B, C, D, F, G)');
DELETE FROM diary.graph_edges;
DELETE FROM diary.graph_nodes;
SELECT is(diary.rebuild_graph(), 5, 'diary.rebuild_graph returns the number of edges, one per segment');
SELECT is((SELECT count(*)::integer FROM diary.graph_nodes), 6, 'diary.rebuild_graph rebuilds the nodes from nothing');
SELECT is((SELECT target FROM diary.graph_edges WHERE segment_id = 'g-ad'), (SELECT source FROM diary.graph_edges WHERE segment_id = 'g-dc'),
          'diary.rebuild_graph snaps end points 0.4 m apart to one node');
SELECT is((SELECT target FROM diary.graph_edges WHERE segment_id = 'g-ab'), (SELECT source FROM diary.graph_edges WHERE segment_id = 'g-bc'),
          'diary.rebuild_graph: touching segments share a node');
SELECT is_empty($$SELECT FROM diary.graph_edges e JOIN diary.graph_nodes a ON a.node_id = e.source JOIN diary.graph_nodes b ON b.node_id = e.target
                  WHERE (e.x1, e.y1, e.x2, e.y2) IS DISTINCT FROM (ST_X(a.geom), ST_Y(a.geom), ST_X(b.geom), ST_Y(b.geom))$$,
                'diary.rebuild_graph: every edge carries its nodes'' coordinates (for the A* heuristic)');
SELECT is_empty($$SELECT FROM diary.graph_edges e JOIN diary.segments s USING (segment_id)
                  WHERE e.length_m <> s.length_m OR NOT ST_Equals(e.geom, s.geometry)$$,
                'diary.rebuild_graph: edges have their segment''s length and geometry');
UPDATE diary.settings SET value = 0.1 WHERE key = 'snap_tolerance_m';
SELECT is(diary.rebuild_graph(), 5, 'diary.rebuild_graph with a 0.1 m snap tolerance');
SELECT isnt((SELECT target FROM diary.graph_edges WHERE segment_id = 'g-ad'), (SELECT source FROM diary.graph_edges WHERE segment_id = 'g-dc'),
            'diary.rebuild_graph reads snap_tolerance_m: 0.4 m apart are two nodes at 0.1 m');
UPDATE diary.settings SET value = 2 WHERE key = 'snap_tolerance_m';
SELECT diary.rebuild_graph() AS edges_after_reset \gset

SELECT edge_id AS fg_edge FROM diary.graph_edges WHERE segment_id = 'g-fg' \gset
UPDATE diary.segments SET street = 'Renamed St' WHERE segment_id = 'g-fg';
SELECT is((SELECT edge_id FROM diary.graph_edges WHERE segment_id = 'g-fg'), :fg_edge::bigint,
          'diary.segments_changed_graph: a new street name leaves the edge alone');
UPDATE diary.segments SET length_m = length_m + 1 WHERE segment_id = 'g-fg';
SELECT results_eq($$SELECT edge_id, length_m FROM diary.graph_edges WHERE segment_id = 'g-fg'$$,
                  format($$SELECT %s::bigint, length_m FROM diary.segments WHERE segment_id = 'g-fg'$$, :fg_edge),
                  'diary.segments_changed_graph: a new length_m changes the edge''s, nothing is rebuilt');
SELECT is((SELECT count(*)::integer FROM diary.graph_edges), 5, 'diary.segments_changed_graph: the other edges are untouched');
UPDATE diary.segments SET geometry = 'SRID=4326;LINESTRING(-74.990 40.005, -74.988 40.005)' WHERE segment_id = 'g-fg';
SELECT ok((SELECT ST_Equals(geom, 'SRID=4326;LINESTRING(-74.990 40.005, -74.988 40.005)') FROM diary.graph_edges WHERE segment_id = 'g-fg'),
          'diary.segments_changed_graph: a new geometry reaches the edge');
SELECT is((SELECT count(*)::integer FROM diary.graph_nodes), 6,
          'diary.segments_changed_graph: the moved end is a new node, the node it left (no other edge) is gone');
INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES ('g-gh', 'Island St', 85, 'SRID=4326;LINESTRING(-74.988 40.005, -74.987 40.005)');
SELECT is((SELECT source FROM diary.graph_edges WHERE segment_id = 'g-gh'), (SELECT target FROM diary.graph_edges WHERE segment_id = 'g-fg'),
          'diary.segments_changed_graph: an inserted segment joins the graph at its neighbour''s node');
SELECT is((SELECT count(*)::integer FROM diary.graph_nodes), 7, 'diary.segments_changed_graph: its far end is a new node');
DELETE FROM diary.segments WHERE segment_id = 'g-gh';
SELECT is((SELECT count(*)::integer FROM diary.graph_edges), 5, 'diary.segments_changed_graph: a deleted segment leaves the graph');
SELECT is((SELECT count(*)::integer FROM diary.graph_nodes), 6, 'diary.graph_edges_deleted: with the node only it used');

-- diary.route_path --------------------------------------------------------------------------------------
SELECT (SELECT node_id FROM diary.graph_nodes ORDER BY geom <-> 'SRID=4326;POINT(-75.000 40.000)'::geometry LIMIT 1) AS node_a,
       (SELECT node_id FROM diary.graph_nodes ORDER BY geom <-> 'SRID=4326;POINT(-74.999 40.000)'::geometry LIMIT 1) AS node_b,
       (SELECT node_id FROM diary.graph_nodes ORDER BY geom <-> 'SRID=4326;POINT(-74.998 40.000)'::geometry LIMIT 1) AS node_c,
       (SELECT node_id FROM diary.graph_nodes ORDER BY geom <-> 'SRID=4326;POINT(-74.990 40.005)'::geometry LIMIT 1) AS node_f,
       'SRID=4326;POLYGON((-75.02 39.98, -75.02 40.02, -74.97 40.02, -74.97 39.98, -75.02 39.98))' AS area \gset
SELECT sum(length_m) AS bottom_len FROM diary.segments WHERE segment_id IN ('g-ab', 'g-bc') \gset
SELECT length_m AS ab_len FROM diary.segments WHERE segment_id = 'g-ab' \gset

SELECT results_eq(
    format($$SELECT seq, segment_id::text, forward, length_m, safety FROM diary.route_path(%s, %s, 0.5, %L)$$, :node_a, :node_c, :'area'),
    $$SELECT * FROM (VALUES (1, 'g-ab', true), (2, 'g-bc', true)) v(seq, segment_id, forward)
      CROSS JOIN LATERAL (SELECT length_m, 3.0 AS safety FROM diary.segments s WHERE s.segment_id = v.segment_id) l$$,
    'diary.route_path: unrated streets score the prior 3.0, so the shorter bottom street wins, in travel order, forwards');
SELECT results_eq(
    format($$SELECT segment_id::text, forward FROM diary.route_path(%s, %s, 0.5, %L)$$, :node_c, :node_a, :'area'),
    $$VALUES ('g-bc', false), ('g-ab', false)$$,
    'diary.route_path: edges are undirected; the way back runs them backwards');
SELECT results_eq(
    format($$SELECT segment_id::text FROM diary.route_path(%s, %s, 0.5, %L, '{g-ab}')$$, :node_a, :node_c, :'area'),
    $$VALUES ('g-ad'), ('g-dc')$$,
    'diary.route_path: a penalised segment costs 1.5 times as much (171 m with 85 m × 1.5 > 204 m: the top street)');
SELECT is_empty(format($$SELECT * FROM diary.route_path(%s, %s, 0.5, %L)$$, :node_a, :node_f, :'area'),
                'diary.route_path: no path to the island, no rows');
SELECT is_empty(format($$SELECT * FROM diary.route_path(%s, %s, 0.5, %L)$$, :node_a, :node_c,
                       'SRID=4326;POLYGON((-75.5 39.5, -75.5 39.6, -75.4 39.6, -75.4 39.5, -75.5 39.5))'),
                'diary.route_path searches only the edges within the area: an area elsewhere finds nothing');

-- Rate the bottom street 1 (unsafe) and the top street 5 (safe).
INSERT INTO auth.users (user_id, email, password_hash) VALUES ('00000000-0000-0000-0000-000000000209', 'graph@example.org', 'x');
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
SELECT seg, '00000000-0000-0000-0000-000000000209', CASE WHEN seg IN ('g-ab', 'g-bc') THEN 1 ELSE 5 END, now() - make_interval(hours => i)
FROM unnest(ARRAY['g-ab', 'g-bc', 'g-ad', 'g-dc']) seg, generate_series(1, 20) i;
SELECT results_eq(
    format($$SELECT segment_id::text FROM diary.route_path(%s, %s, 0, %L)$$, :node_a, :node_c, :'area'),
    $$VALUES ('g-ab'), ('g-bc')$$, 'diary.route_path with weight 0: the shortest path whatever the scores');
SELECT results_eq(
    format($$SELECT segment_id::text FROM diary.route_path(%s, %s, 0.8, %L)$$, :node_a, :node_c, :'area'),
    $$VALUES ('g-ad'), ('g-dc')$$, 'diary.route_path with weight 0.8: the safe top street');
SELECT results_eq(
    format($$SELECT segment_id::text, safety FROM diary.route_path(%s, %s, 0.8, %L)$$, :node_a, :node_c, :'area'),
    $$SELECT s, analytics.current_decayed_mean(s) FROM unnest(ARRAY['g-ad', 'g-dc']) s$$,
    'diary.route_path: safety is each segment''s current decayed mean');

-- diary.load_route_edges: the edges a request's searches share
SELECT is(diary.load_route_edges(0.8, :'area'), 5, 'diary.load_route_edges: the 5 edges within the area');
SELECT results_eq(
    $$SELECT segment_id::text, safety, cost FROM pg_temp.route_edges ORDER BY segment_id$$,
    $$SELECT s.segment_id::text, analytics.current_decayed_mean(s.segment_id),
             diary.calculate_segment_cost(s.length_m, analytics.current_decayed_mean(s.segment_id), 0.8)::double precision
      FROM diary.segments s ORDER BY 1$$,
    'diary.load_route_edges: each edge''s current decayed mean, and its cost at the weight');
SELECT is(diary.load_route_edges(0, 'SRID=4326;POLYGON((-75.01 39.99, -75.01 40.01, -74.995 40.01, -74.995 39.99, -75.01 39.99))'), 4,
          'diary.load_route_edges again in the same transaction: refilled, here without the island');
SELECT results_eq(
    format($$SELECT segment_id::text FROM diary.route_path(%s, %s, 0.8, %L, p_edges_loaded => true)$$, :node_a, :node_c, :'area'),
    $$VALUES ('g-ab'), ('g-bc')$$,
    'diary.route_path with p_edges_loaded searches the loaded edges (weight 0: the shortest), as the alternative search does');

-- diary.route_summary ---------------------------------------------------------------------------------------
SELECT diary.route_summary(:node_a, :node_c, 0, :'area') AS bottom \gset
SELECT is(:'bottom'::jsonb -> 'segment_ids', '["g-ab", "g-bc"]'::jsonb, 'diary.route_summary: the segment ids in travel order');
SELECT is((:'bottom'::jsonb ->> 'length_m')::numeric, :'bottom_len'::numeric, 'diary.route_summary: length_m is the segments'' sum');
SELECT is((:'bottom'::jsonb ->> 'duration_walk_min')::numeric, round(:'bottom_len'::numeric / (5000 / 60.0), 1),
          'diary.route_summary: walking minutes at 5 km/h');
SELECT is((:'bottom'::jsonb ->> 'duration_bike_min')::numeric, round(:'bottom_len'::numeric / (15000 / 60.0), 1),
          'diary.route_summary: cycling minutes at 15 km/h');
SELECT is((:'bottom'::jsonb ->> 'avg_safety')::numeric, round(analytics.current_decayed_mean('g-ab'), 2),
          'diary.route_summary: avg_safety weighs the segments'' scores by length (both equal here)');
SELECT is((:'bottom'::jsonb ->> 'min_safety')::numeric,
          round(least(analytics.current_decayed_mean('g-ab'), analytics.current_decayed_mean('g-bc')), 2),
          'diary.route_summary: min_safety is the worst segment''s score');
SELECT is((:'bottom'::jsonb ->> 'cost')::numeric, :'bottom_len'::numeric, 'diary.route_summary: with weight 0 the cost is the length');
SELECT is((:'bottom'::jsonb ->> 'shared_m')::numeric, 0::numeric, 'diary.route_summary: shared_m is 0 without penalised segments');
SELECT is(:'bottom'::jsonb -> 'geometry', '{"type": "LineString", "coordinates": [[-75, 40], [-74.999, 40], [-74.998, 40]]}'::jsonb,
          'diary.route_summary: one GeoJSON LineString through the path''s points, the shared node once');
SELECT is(diary.route_summary(:node_c, :node_a, 0, :'area') -> 'geometry' -> 'coordinates',
          '[[-74.998, 40], [-74.999, 40], [-75, 40]]'::jsonb,
          'diary.route_summary: on the way back the line starts at the origin (segments reversed)');
SELECT is((diary.route_summary(:node_a, :node_c, 0.5, :'area') ->> 'cost')::numeric,
          round((SELECT sum(diary.calculate_segment_cost(length_m, analytics.current_decayed_mean(segment_id), 0.5))
                 FROM diary.segments WHERE segment_id IN (SELECT jsonb_array_elements_text(diary.route_summary(:node_a, :node_c, 0.5, :'area') -> 'segment_ids'))), 2),
          'diary.route_summary: cost is the sum of length × (1 + w × (5 − score) / 5) over the path');
SELECT is((diary.route_summary(:node_a, :node_b, 0, :'area', '{g-ab}') ->> 'shared_m')::numeric, :'ab_len'::numeric,
          'diary.route_summary: shared_m is the length the path shares with the penalised segments');
SELECT is(diary.route_summary(:node_a, :node_f, 0.5, :'area'), NULL::jsonb, 'diary.route_summary: NULL when there is no path');

SELECT * FROM finish();
ROLLBACK;
