-- Representative data loaded into a database deployed from the newest release tag, before the
-- upgrade to HEAD (db/scripts/test.sh, run_upgrade): V2X messages landed and processed into
-- features, 1-minute indices, hourly rollups and the current-status snapshot; a diary user,
-- segments, ratings and a public route, written through the API as a logged-in user would.
-- It uses only what a release offers its users (tables, procedures, api functions), so it
-- loads into every release. Ids 9901… and 'upg…' stay clear of the pgTAP files' data.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET TimeZone = 'UTC';

-- The traffic: yesterday 08:00–08:10 UTC, in the day partitions made at deploy.
SELECT date_trunc('day', now(), 'UTC') - interval '1 day' + interval '8 hours' AS t0 \gset

INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (9901, 'Upgrade test North', 44.9800, -93.2700),
    (9902, 'Upgrade test South', 44.9700, -93.2700);

-- Four vehicles and a pedestrian near each intersection, one message every 2 s for 10 minutes.
INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload)
SELECT '00000000-0000-0000-0000-00000000f001'::uuid, 'bsm', t + interval '1 second',
       jsonb_build_object('timestamp', (extract(epoch FROM t) * 1000)::bigint, 'rsuName', 'From_WebSocket', 'format', 'JSON',
           'bsmJson', jsonb_build_object('coreData', jsonb_build_object(
               'msgCnt', (s / 2) % 128, 'id', i * 100 + v, 'secMark', (extract(epoch FROM t) * 1000)::bigint % 60000,
               'lat', lat + (v - 2) * 0.0001, 'lon', -93.2700 + s * 0.000002, 'elev', 250.0,
               'speed', 5 + v * 2 + (s % 7), 'heading', 0, 'angle', 0,
               'accelSet', jsonb_build_object('lon', CASE WHEN s % 97 = 0 THEN -4.5 ELSE -0.2 END, 'lat', 0, 'vert', 0, 'yaw', 0),
               'brakes', jsonb_build_object('wheelBrakes', 0), 'size', jsonb_build_object('width', 190, 'length', 480))))
FROM (VALUES (9901, 44.9800), (9902, 44.9700)) AS x (i, lat)
CROSS JOIN generate_series(1, 4) AS v
CROSS JOIN generate_series(0, 598, 2) AS s
CROSS JOIN LATERAL (SELECT :'t0'::timestamptz + make_interval(secs => s) AS t) AS tt
UNION ALL
SELECT '00000000-0000-0000-0000-00000000f001'::uuid, 'psm', t + interval '1 second',
       jsonb_build_object('timestamp', (extract(epoch FROM t) * 1000)::bigint, 'rsuName', 'From_WebSocket', 'format', 'JSON',
           'psmJson', jsonb_build_object('basicType', 1, 'id', i, 'msgCnt', (s / 2) % 128,
               'secMark', (extract(epoch FROM t) * 1000)::bigint % 60000,
               'position', jsonb_build_object('lat', lat, 'lon', -93.2700, 'elev', 250.0),
               'speed', 1.4, 'heading', 90, 'accelSet', jsonb_build_object('lon', 0, 'lat', 0)))
FROM (VALUES (9901, 44.9800), (9902, 44.9700)) AS x (i, lat)
CROSS JOIN generate_series(0, 598, 2) AS s
CROSS JOIN LATERAL (SELECT :'t0'::timestamptz + make_interval(secs => s) AS t) AS tt;

CALL tsi.land_batch('00000000-0000-0000-0000-00000000f001');
CALL tsi.process_range(:'t0', :'t0'::timestamptz + interval '10 minutes');
CALL tsi.rollup_hourly(:'t0'::timestamptz + interval '1 hour');
CALL tsi.refresh_current_status();

-- The diary: three segments, a user who signs up, rates and saves a public route.
INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES
    ('upg1', 'Upgrade Ave', 100, 'SRID=4326;LINESTRING(-93.2710 44.9750, -93.2700 44.9750)'),
    ('upg2', 'Upgrade Ave', 100, 'SRID=4326;LINESTRING(-93.2700 44.9750, -93.2690 44.9750)'),
    ('upg3', 'Upgrade Ave', 100, 'SRID=4326;LINESTRING(-93.2690 44.9750, -93.2680 44.9750)');
SELECT api.sign_up('upgrade@example.org', 'upgrade password', 'Upgrade tester') IS NOT NULL AS signed_up \gset
SELECT user_id AS uid FROM auth.users WHERE email = 'upgrade@example.org' \gset
BEGIN;
SELECT set_config('request.jwt.claims', json_build_object('role', 'web_user', 'sub', :'uid')::text, true);
SET LOCAL ROLE web_user;
SELECT api.submit_rating('upg1', 4, '{poor_lighting}', 'fine by day');
SELECT api.submit_rating('upg2', 2, '{speeding_cars}');
SELECT api.submit_rating('upg3', 5);
SELECT api.create_route('Upgrade walk', ARRAY['upg1', 'upg2', 'upg3'], true);
COMMIT;
