-- Routing on a small hand-built graph with known shortest and safest paths:
--
--        D                 bottom A-B-C: 171 m, rated 1 (unsafe)
--      /   \               top    A-D-C: 204 m, rated 5 (safe); D-C starts 0.4 m off D (snapped)
--     A--B--C              F-G: an island 1 km away
BEGIN;
SELECT plan(21);

INSERT INTO auth.users (user_id, email, password_hash) VALUES ('00000000-0000-0000-0000-0000000000f9', 'router@example.org', 'x');
INSERT INTO diary.segments (segment_id, street, length_m, geometry)
SELECT id, street, round(ST_Length(g::geography)::numeric, 2), g
FROM (VALUES ('g-ab', 'Bottom St', 'SRID=4326;LINESTRING(-75.000 40.000, -74.999 40.000)'::geometry),
             ('g-bc', 'Bottom St', 'SRID=4326;LINESTRING(-74.999 40.000, -74.998 40.000)'),
             ('g-ad', 'Top St', 'SRID=4326;LINESTRING(-75.000 40.000, -74.999 40.0005)'),
             ('g-dc', 'Top St', 'SRID=4326;LINESTRING(-74.998995 40.0005, -74.998 40.000)'),
             ('g-fg', 'Island St', 'SRID=4326;LINESTRING(-74.990 40.005, -74.989 40.005)')) AS s(id, street, g);

SELECT is((SELECT count(*)::integer FROM diary.graph_edges WHERE segment_id LIKE 'g-%'), 5, 'every segment is an edge of the graph');
SELECT is((SELECT target FROM diary.graph_edges WHERE segment_id = 'g-ad'), (SELECT source FROM diary.graph_edges WHERE segment_id = 'g-dc'),
          'end points 0.4 m apart are snapped to one node');
SELECT is((SELECT target FROM diary.graph_edges WHERE segment_id = 'g-ab'), (SELECT source FROM diary.graph_edges WHERE segment_id = 'g-bc'),
          'touching segments share a node');

INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
SELECT seg, '00000000-0000-0000-0000-0000000000f9', CASE WHEN seg IN ('g-ab', 'g-bc') THEN 1 ELSE 5 END, now() - make_interval(hours => i)
FROM unnest(ARRAY['g-ab', 'g-bc', 'g-ad', 'g-dc']) seg, generate_series(1, 20) i;

SELECT sum(length_m) AS top_len FROM diary.segments WHERE segment_id IN ('g-ad', 'g-dc') \gset
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000000f9');

SELECT is(api.route('{-75.0, 40.0}', '{-74.998, 40.0}', 'optimal') -> 'primary' -> 'segment_ids', '["g-ab", "g-bc"]'::jsonb,
          'optimal (w 0.2): the short unsafe bottom street');
SELECT is(api.route('{-75.0, 40.0}', '{-74.998, 40.0}', 'safest') -> 'primary' -> 'segment_ids', '["g-ad", "g-dc"]'::jsonb,
          'safest (w 0.8): the longer safe top street');
SELECT is(api.route('{-75.0, 40.0}', '{-74.998, 40.0}', 'optimal', safety_weight => 0.9) -> 'primary' -> 'segment_ids', '["g-ad", "g-dc"]'::jsonb,
          'an explicit safety_weight overrides the mode');
SELECT is(api.route('{-74.998, 40.0}', '{-75.0, 40.0}', 'optimal') -> 'primary' -> 'segment_ids', '["g-bc", "g-ab"]'::jsonb,
          'edges are undirected: the way back');

SELECT api.route('{-75.0, 40.0}', '{-74.998, 40.0}', 'safest') AS r \gset
SELECT is((:'r'::jsonb -> 'primary' ->> 'length_m')::numeric,
          :'top_len'::numeric, 'summary: length is the segments'' sum');
SELECT is((:'r'::jsonb -> 'primary' ->> 'duration_walk_min')::numeric,
          round(:'top_len'::numeric / (5000 / 60.0), 1), 'summary: walking at 5 km/h');
SELECT is((:'r'::jsonb -> 'primary' ->> 'duration_bike_min')::numeric,
          round(:'top_len'::numeric / (15000 / 60.0), 1), 'summary: cycling at 15 km/h');
SELECT is((:'r'::jsonb -> 'primary' ->> 'min_safety')::numeric,
          (SELECT min(decayed_mean) FROM api.segments('-75.1,39.9,-74.9,40.1') WHERE segment_id IN ('g-ad', 'g-dc')), 'summary: the worst segment''s score');
SELECT is(:'r'::jsonb -> 'primary' -> 'geometry' ->> 'type', 'LineString', 'summary: one GeoJSON LineString');
SELECT is(jsonb_array_length(:'r'::jsonb -> 'primary' -> 'geometry' -> 'coordinates'), 4, 'summary: through both segments'' points in travel order');
SELECT cmp_ok((:'r'::jsonb -> 'primary' ->> 'cost')::numeric, '>=', (:'r'::jsonb -> 'primary' ->> 'length_m')::numeric, 'summary: cost is at least the length');

SELECT is(:'r'::jsonb -> 'alternative' -> 'segment_ids', '["g-ab", "g-bc"]'::jsonb,
          'alternative accepted: it shares nothing and is less than 30 % longer');
SELECT is(api.route('{-75.0, 40.0}', '{-74.999, 40.0}', 'safest') ->> 'alternative_rejected',
          'every other path shares more than 70 % of the primary route',
          'alternative rejected: with the primary''s costs × 1.5 the search finds the same street');
SELECT is(api.route('{-75.0, 40.0}', '{-74.998, 40.0}', include_alternative => false) -> 'alternative', 'null'::jsonb,
          'no alternative when not asked for');

SELECT throws_ok($$SELECT api.route('{-75.0, 40.0}', '{-74.8, 40.0}')$$, '22023', 'destination: more than 10 km from origin', 'more than 10 km apart');
SELECT throws_ok($$SELECT api.route('{-75.0, 40.0}', '{-74.990, 40.005}')$$, 'PT404', 'destination: no path along rated streets from origin', 'no path to the island');
SELECT throws_ok($$SELECT api.route('{-75.0, 40.0}', '{-74.998, 40.0}', 'fastest')$$, '22023', 'mode: must be optimal, balanced or safest', 'unknown mode');
SELECT throws_ok($$SELECT api.route('{-75.0}', '{-74.998, 40.0}')$$, '22023', 'origin: must be [lng, lat] in WGS84', 'malformed origin');

SELECT * FROM finish();
ROLLBACK;
