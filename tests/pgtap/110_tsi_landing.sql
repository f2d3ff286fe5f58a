-- CALL tsi.land_batch: valid BSM/PSM land as typed rows, re-deliveries count as duplicates,
-- every invalid message is quarantined once with its reason, nothing is silently dropped
-- (received = landed + duplicates + quarantined), nearest-intersection assignment within the
-- configured radius, MapData upserts, pending minutes and daily partitions of old days.
BEGIN;
SELECT plan(97);

-- Helpers: message JSON as the VCC API sends it, staging, landing ----------------------------

-- A batch id from a small number, so the file can name its batches.
CREATE FUNCTION pg_temp.batch(n integer) RETURNS uuid LANGUAGE sql AS $$
    SELECT format('00000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid
$$;

-- A point `metres` from the reference point of intersection i, in direction azimuth (degrees from north).
CREATE FUNCTION pg_temp.near(i integer, metres float8, azimuth float8) RETURNS geography LANGUAGE sql AS $$
    SELECT ST_Project(geometry::geography, metres, radians(azimuth)) FROM tsi.intersections WHERE id = i
$$;

CREATE FUNCTION pg_temp.epoch_ms(t timestamptz) RETURNS bigint LANGUAGE sql AS $$
    SELECT (extract(epoch FROM t) * 1000)::bigint
$$;

-- BsmWithMetadata (J2735 scaling applied): secMark is the millisecond within the minute of t.
CREATE FUNCTION pg_temp.bsm(vehicle bigint, t timestamptz, p geography, speed float8 DEFAULT 11.58,
                            accel float8 DEFAULT -0.4, msg_cnt integer DEFAULT 17, rsu text DEFAULT 'From_WebSocket')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'timestamp', pg_temp.epoch_ms(t), 'rsuName', rsu, 'format', 'JSON',
        'bsmJson', jsonb_build_object('coreData', jsonb_build_object(
            'msgCnt', msg_cnt, 'id', vehicle, 'secMark', pg_temp.epoch_ms(t) % 60000,
            'lat', ST_Y(p::geometry), 'lon', ST_X(p::geometry), 'elev', 120.5,
            'speed', speed, 'heading', 178.86, 'angle', 0,
            'accelSet', jsonb_build_object('lon', accel, 'lat', 0.1, 'vert', 0, 'yaw', 0),
            'brakes', jsonb_build_object('wheelBrakes', 0),
            'size', jsonb_build_object('width', 190, 'length', 480))))
$$;

-- PsmWithMetadata.
CREATE FUNCTION pg_temp.psm(vru bigint, t timestamptz, p geography, basic_type integer DEFAULT 1, speed float8 DEFAULT 1.4,
                            rsu text DEFAULT 'From_WebSocket')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'timestamp', pg_temp.epoch_ms(t), 'rsuName', rsu, 'format', 'JSON',
        'psmJson', jsonb_build_object(
            'basicType', basic_type, 'id', vru, 'msgCnt', 3, 'secMark', pg_temp.epoch_ms(t) % 60000,
            'position', jsonb_build_object('lat', ST_Y(p::geometry), 'lon', ST_X(p::geometry), 'elev', 120.0),
            'speed', speed, 'heading', 90, 'accelSet', jsonb_build_object('lon', 0, 'lat', 0)))
$$;

-- Decoded MapData with one intersection per element of ids; lanes laneSet entries each.
CREATE FUNCTION pg_temp.mapdata(ids integer[], names text[], p geography, revision integer, lanes integer, region integer DEFAULT 12)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('timestamp', pg_temp.epoch_ms('2026-11-02 14:00+00'), 'intersections', jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
        'id', jsonb_build_object('region', region, 'id', ids[k]), 'name', names[k], 'revision', revision,
        'refPoint', jsonb_build_object('lat', ST_Y(p::geometry), 'lon', ST_X(p::geometry) + (k - 1) * 0.01, 'elevation', 110.5),
        'laneWidth', 3.66, 'speedLimits', jsonb_build_array(jsonb_build_object('type', 'vehicleMaxSpeed', 'speed', 15.6)),
        'laneSet', (SELECT jsonb_agg(jsonb_build_object('laneID', l, 'laneAttributes', jsonb_build_object('laneType', 'vehicle')))
                    FROM generate_series(1, lanes) AS l))) ORDER BY k))
    FROM generate_subscripts(ids, 1) AS k
$$;

-- COPY stand-in: one staged message; received one second after its timestamp unless given.
CREATE FUNCTION pg_temp.stage(b integer, kind text, payload jsonb, received timestamptz DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload)
    VALUES (pg_temp.batch(b), kind, coalesce(received, to_timestamp((payload ->> 'timestamp')::numeric / 1000) + interval '1 second'),
            payload)
$$;

-- CALL tsi.land_batch and return {received, landed, duplicates, quarantined, unassigned}, also kept in calls.
CREATE TEMP TABLE calls (n serial, b integer, counts integer[]);
CREATE FUNCTION pg_temp.land(b integer) RETURNS integer[] LANGUAGE plpgsql AS $$
DECLARE r integer; l integer; d integer; q integer; u integer;
BEGIN
    CALL tsi.land_batch(pg_temp.batch(b), r, l, d, q, u);
    INSERT INTO calls (b, counts) VALUES (b, ARRAY[r, l, d, q, u]);
    RETURN ARRAY[r, l, d, q, u];
END
$$;

-- What the last call for a batch returned, and the element-wise sum of all its calls.
CREATE FUNCTION pg_temp.last(batch integer) RETURNS integer[] LANGUAGE sql AS $$
    SELECT counts FROM calls WHERE b = batch ORDER BY n DESC LIMIT 1
$$;
CREATE FUNCTION pg_temp.sum_calls(batch integer) RETURNS integer[] LANGUAGE sql AS $$
    SELECT array_agg(total ORDER BY k)
    FROM (SELECT k, sum(counts[k])::integer AS total FROM calls, generate_series(1, 5) AS k WHERE b = batch GROUP BY k) AS t
$$;

-- The landed_batches row of a batch as {received, landed, duplicates, quarantined, unassigned}.
CREATE FUNCTION pg_temp.batch_row(b integer) RETURNS integer[] LANGUAGE sql AS $$
    SELECT ARRAY[received, landed, duplicates, quarantined, unassigned] FROM tsi.landed_batches WHERE batch_id = pg_temp.batch(b)
$$;

-- Which partition holds the raw message of a vehicle / VRU.
CREATE FUNCTION pg_temp.bsm_partition(vehicle bigint) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(tableoid::regclass::text, ',') FROM tsi.bsm_messages WHERE vehicle_id = vehicle
$$;

-- Two intersections 150 m apart (B due north of A), in a place no other test uses.
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (201, 'Test A', 38.918318, -77.230614);
INSERT INTO tsi.intersections (id, name, latitude, longitude)
SELECT 202, 'Test B', ST_Y(p::geometry), ST_X(p::geometry) FROM pg_temp.near(201, 150, 0) AS p;

-- The message "120 m from both": on the perpendicular bisector of A–B, sqrt(120² − 75²) m east of the midpoint.
CREATE TEMP TABLE places AS
SELECT ST_Project(pg_temp.near(201, 75, 0), sqrt(120 ^ 2 - 75 ^ 2), radians(90)) AS between_ab;
SELECT ok((SELECT abs(ST_Distance(a.geometry::geography, b.geometry::geography) - 150) < 0.01
                  AND abs(ST_Distance(a.geometry::geography, p.between_ab) - 120) < 0.5
                  AND abs(ST_Distance(b.geometry::geography, p.between_ab) - 120) < 0.5
           FROM tsi.intersections a, tsi.intersections b, places p WHERE a.id = 201 AND b.id = 202),
          'test geometry: A and B are 150 m apart, the between point about 120 m from each');

-- 1. A valid batch (20 days ago) ---------------------------------------------------------------
-- 700295 40 m from A (twice), pedestrian 9001 10 m from A, 700296 120 m from A and B, 700297 with speed and
-- accelSet.lon unavailable (null), 700298 40 m from B.
CREATE TEMP TABLE batch1_messages AS
SELECT * FROM (VALUES
    ('bsm', pg_temp.bsm(700295, '2026-11-02 14:30:05.12+00', pg_temp.near(201, 40, 0))),
    ('bsm', pg_temp.bsm(700295, '2026-11-02 14:30:05.12+00', pg_temp.near(201, 40, 0))),
    ('psm', pg_temp.psm(9001, '2026-11-02 14:30:06.5+00', pg_temp.near(201, 10, 90))),
    ('bsm', pg_temp.bsm(700296, '2026-11-02 14:32:10+00', (SELECT between_ab FROM places))),
    ('bsm', jsonb_set(jsonb_set(pg_temp.bsm(700297, '2026-11-02 14:30:07+00', pg_temp.near(201, 5, 180)),
                                '{bsmJson,coreData,speed}', 'null'), '{bsmJson,coreData,accelSet,lon}', 'null')),
    ('bsm', pg_temp.bsm(700298, '2026-11-02 14:30:08+00', pg_temp.near(202, 40, 180)))) AS m(kind, payload);
SELECT pg_temp.stage(1, kind, payload) FROM batch1_messages;

SELECT is((pg_temp.land(1))[1:4], ARRAY[6, 5, 1, 0],
          'a valid batch: received 6, landed 5, 1 duplicate (the same message twice), 0 quarantined');
SELECT results_eq(
    $$ SELECT vehicle_id, msg_cnt::integer, sec_mark, ts, ts_second, received_at, latitude::numeric(9, 6), elevation, speed,
              heading, accel_lon, accel_lat, wheel_brakes, vehicle_length, vehicle_width, rsu_name, intersection_id
       FROM tsi.bsm_messages WHERE vehicle_id = 700295 $$,
    $$ VALUES (700295::bigint, 17, 5120, '2026-11-02 14:30:05.12+00'::timestamptz, '2026-11-02 14:30:05+00'::timestamptz,
               '2026-11-02 14:30:06.12+00'::timestamptz,
               (SELECT ST_Y(pg_temp.near(201, 40, 0)::geometry))::numeric(9, 6), 120.5::float8, 11.58::float8,
               178.86::float8, -0.4::float8, 0.1::float8, 0, 480, 190, 'From_WebSocket', 201) $$,
    'a BSM lands once as typed columns: id, msgCnt, secMark, epoch-ms time, speed in m/s, accelSet.lon/lat, brakes, size, rsu, nearest intersection');
SELECT results_eq(
    $$ SELECT psm_id, basic_type::integer, msg_cnt::integer, sec_mark, ts, speed, heading, elevation, intersection_id
       FROM tsi.psm_messages WHERE psm_id = 9001 $$,
    $$ VALUES (9001::bigint, 1, 3, 6500, '2026-11-02 14:30:06.5+00'::timestamptz, 1.4::float8, 90::float8, 120::float8, 201) $$,
    'a PSM lands as typed columns: id, basicType, position elevation, speed m/s, nearest intersection');
SELECT results_eq(
    $$ SELECT speed, accel_lon FROM tsi.bsm_messages WHERE vehicle_id = 700297 $$,
    $$ VALUES (NULL::float8, NULL::float8) $$,
    'unavailable speed and acceleration (JSON null) land as NULL, not 0');
SELECT is(pg_temp.batch_row(1), pg_temp.last(1), 'tsi.landed_batches records the counts of the batch');
SELECT is_empty($$ SELECT FROM tsi.message_staging WHERE batch_id = pg_temp.batch(1) $$,
                'the staged rows of a landed batch are gone');
SELECT ok((SELECT true FROM tsi.pending_minutes WHERE minute = '2026-11-02 14:30+00'), 'the minute of the assigned messages is pending');
SELECT results_eq(
    $$ SELECT vehicle_id, intersection_id FROM tsi.bsm_messages WHERE vehicle_id IN (700295, 700296, 700298) ORDER BY vehicle_id $$,
    $$ VALUES (700295::bigint, 201), (700296, NULL), (700298, 202) $$,
    'nearest intersection: 40 m from A (110 m from B) → A; 40 m from B → B; 120 m from both (radius 100 m) → NULL');
SELECT is((pg_temp.last(1))[5], 1, 'the message 120 m from both intersections is counted as unassigned');
SELECT is(tsi.nearest_intersection(ST_Y(between_ab::geometry), ST_X(between_ab::geometry), 100), NULL::integer,
          'tsi.nearest_intersection of a point 120 m from every intersection, radius 100 m, is NULL')
FROM places;
-- The set-based assignment: positions in, (position number, intersection) out.
SELECT results_eq(
    $$ SELECT n.ord, n.intersection_id
       FROM places, tsi.nearest_intersections(
           ARRAY[ST_Y(pg_temp.near(201, 40, 0)::geometry), ST_Y(pg_temp.near(202, 40, 180)::geometry), ST_Y(between_ab::geometry), 95, NULL],
           ARRAY[ST_X(pg_temp.near(201, 40, 0)::geometry), ST_X(pg_temp.near(202, 40, 180)::geometry), ST_X(between_ab::geometry), -77.23, -77.23],
           ARRAY[100, 100, 100, 100, 100]::float8[]) AS n
       ORDER BY 1 $$,
    $$ VALUES (1::bigint, 201), (2, 202) $$,
    'tsi.nearest_intersections: 40 m from A → A, 110 m from A and 40 m from B → B; 120 m from both, latitude 95 and no position are left out');
SELECT is((SELECT n.intersection_id FROM tsi.nearest_intersections(
               ARRAY[ST_Y(pg_temp.near(201, 1000, 90)::geometry)], ARRAY[ST_X(pg_temp.near(201, 1000, 90)::geometry)],
               ARRAY[5000]::float8[]) AS n),
          201, 'a radius of 5 km assigns a position 1 km east of A to A (B is 1 011 m away)');
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (203, 'On a cell line', 38.9, -77.2);
SELECT is(tsi.nearest_intersection(ST_Y(p::geometry), ST_X(p::geometry), 100), 203,
          'a position 60 m south-west of an intersection that lies exactly on a 0.01° grid line is assigned to it')
FROM pg_temp.near(203, 60, 225) AS p;
SELECT is(tsi.nearest_intersection(ST_Y(p::geometry), ST_X(p::geometry), 100), NULL::integer,
          'a position 101 m from the only intersection within reach, radius 100 m, is not assigned')
FROM pg_temp.near(203, 101, 225) AS p;
DELETE FROM tsi.intersections WHERE id = 203;
SELECT ok(NOT EXISTS (SELECT FROM tsi.pending_minutes WHERE minute = '2026-11-02 14:32+00'),
          'the minute with only an unassigned message is not pending');
SELECT is(pg_temp.bsm_partition(700295), 'tsi.bsm_messages_20261102',
          'a BSM of 20 days ago lands in the daily partition of its UTC day, created by land_batch');
SELECT is((SELECT tableoid::regclass::text FROM tsi.psm_messages WHERE psm_id = 9001), 'tsi.psm_messages_20261102',
          'a PSM of 20 days ago lands in the daily partition of its UTC day');

-- 2. Re-deliveries -------------------------------------------------------------------------------
SELECT is(pg_temp.land(1), ARRAY[0, 0, 0, 0, 0], 'calling land_batch again for a landed batch lands nothing and counts nothing');
SELECT is(pg_temp.batch_row(1), (SELECT counts FROM calls WHERE b = 1 ORDER BY n LIMIT 1),
          'calling land_batch again leaves the batch''s counts as they were');

-- The collector retries: the same messages copied again under the same batch id, then under a new one
-- (a re-poll, received later).
SELECT pg_temp.stage(1, kind, payload) FROM batch1_messages;
SELECT is(pg_temp.land(1), ARRAY[6, 0, 6, 0, 0], 'the same batch copied and landed again: every message is a duplicate');
SELECT is(pg_temp.batch_row(1), pg_temp.sum_calls(1), 'a re-landed batch id adds its counts to the batch''s row');
SELECT pg_temp.stage(2, kind, payload, '2026-11-02 14:35:00+00') FROM batch1_messages;
SELECT is(pg_temp.land(2), ARRAY[6, 0, 6, 0, 0],
          'a second batch with the same messages, received minutes later (a re-poll): every message is a duplicate');
SELECT results_eq(
    $$ SELECT (SELECT count(*) FROM tsi.bsm_messages WHERE vehicle_id BETWEEN 700295 AND 700298),
              (SELECT count(*) FROM tsi.psm_messages WHERE psm_id = 9001) $$,
    $$ VALUES (4::bigint, 1::bigint) $$,
    'after four deliveries each message is stored once');

-- 3. Quarantine: one case per rule, received at 14:31:00, timestamps one second earlier -------------
CREATE FUNCTION pg_temp.ok_bsm(n integer) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_temp.bsm(800000 + n, '2026-11-02 14:30:59+00', pg_temp.near(201, 20, 45), rsu => 'case ' || n)
$$;
CREATE FUNCTION pg_temp.ok_psm(n integer) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_temp.psm(800000 + n, '2026-11-02 14:30:59+00', pg_temp.near(201, 20, 45), rsu => 'case ' || n)
$$;
CREATE FUNCTION pg_temp.core(payload jsonb, field text, value jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_set(payload, ('{bsmJson,coreData,' || field || '}')::text[], value)
$$;
CREATE TEMP TABLE cases (n integer, kind text, payload jsonb, reason text, label text);
INSERT INTO cases VALUES
    (1, 'bsm', '[1, 2, 3]', 'not_an_object', 'a BSM that is a JSON array'),
    (2, 'psm', '"a string"', 'not_an_object', 'a PSM that is a JSON string'),
    (3, 'bsm', pg_temp.ok_bsm(3) - 'timestamp', 'invalid_timestamp', 'timestamp missing'),
    (4, 'bsm', jsonb_set(pg_temp.ok_bsm(4), '{timestamp}', to_jsonb((pg_temp.ok_bsm(4) ->> 'timestamp'))), 'invalid_timestamp',
        'timestamp as a string'),
    (5, 'bsm', jsonb_set(pg_temp.ok_bsm(5), '{timestamp}', to_jsonb(pg_temp.epoch_ms('2026-11-02 14:30:59+00') / 1000)),
        'invalid_timestamp', 'timestamp in seconds instead of milliseconds'),
    (6, 'bsm', jsonb_set(pg_temp.ok_bsm(6), '{timestamp}', to_jsonb(pg_temp.epoch_ms('2026-11-02 14:30:59+00') * 1000)),
        'invalid_timestamp', 'timestamp in microseconds'),
    (7, 'bsm', jsonb_set(pg_temp.ok_bsm(7), '{timestamp}', to_jsonb(pg_temp.epoch_ms('2026-11-02 16:31:00+00'))),
        'timestamp_in_future', 'timestamp two hours after receipt'),
    (8, 'bsm', pg_temp.ok_bsm(8) #- '{bsmJson,coreData,id}', 'missing_id', 'coreData without id'),
    (9, 'bsm', pg_temp.core(pg_temp.ok_bsm(9), 'msgCnt', '128'), 'invalid_msg_cnt', 'msgCnt 128'),
    (10, 'bsm', pg_temp.core(pg_temp.ok_bsm(10), 'secMark', '70000'), 'invalid_sec_mark', 'secMark 70000'),
    (11, 'bsm', pg_temp.core(pg_temp.ok_bsm(11), 'lat', '91'), 'invalid_coordinates', 'lat 91'),
    (12, 'bsm', pg_temp.core(pg_temp.ok_bsm(12), 'lon', '181'), 'invalid_coordinates', 'lon 181'),
    (13, 'bsm', pg_temp.core(pg_temp.core(pg_temp.ok_bsm(13), 'lat', '0'), 'lon', '0'), 'invalid_coordinates', 'lat/lon 0,0'),
    (14, 'bsm', pg_temp.core(pg_temp.ok_bsm(14), 'speed', '163.82'), 'invalid_speed', 'speed 163.82 (the unavailable sentinel)'),
    (15, 'bsm', pg_temp.core(pg_temp.ok_bsm(15), 'speed', '-0.5'), 'invalid_speed', 'negative speed'),
    (16, 'bsm', pg_temp.core(pg_temp.ok_bsm(16), 'accelSet,lon', '20.01'), 'invalid_accel', 'accelSet.lon 20.01 (the unavailable sentinel)'),
    (17, 'psm', jsonb_set(pg_temp.ok_psm(17), '{psmJson,basicType}', '9'), 'invalid_basic_type', 'PSM basicType 9'),
    (18, 'psm', jsonb_set(pg_temp.ok_psm(18), '{psmJson,position,lat}', '91'), 'invalid_coordinates', 'PSM position lat 91'),
    (19, 'tim', pg_temp.ok_bsm(19), 'unknown_type', 'unknown msg_type tim'),
    (20, 'mapdata', '{"timestamp": 1793629859000, "mapData": {}}', 'invalid_mapdata', 'MapData without an intersections array'),
    (21, 'mapdata', jsonb_set(pg_temp.mapdata(ARRAY[300], ARRAY['x'], pg_temp.near(201, 0, 0), 1, 2),
                              '{intersections,0,id,id}', '70000'), 'invalid_mapdata', 'MapData intersection id 70000');

SELECT pg_temp.stage(3, kind, payload, '2026-11-02 14:31:00+00') FROM cases ORDER BY n;
SELECT is(pg_temp.land(3), ARRAY[21, 0, 0, 21, 0], 'a batch of 21 invalid messages: all 21 quarantined, nothing landed');
SELECT is(q.reason, c.reason, format('quarantined as %s: %s', c.reason, c.label))
FROM cases AS c LEFT JOIN tsi.quarantine AS q ON q.payload = c.payload AND q.msg_type = c.kind
ORDER BY c.n;
SELECT is_empty(
    $$ SELECT FROM cases AS c JOIN tsi.quarantine AS q ON q.payload = c.payload
       WHERE q.batch_id IS DISTINCT FROM pg_temp.batch(3) OR q.received_at <> '2026-11-02 14:31:00+00' OR q.detail = '' $$,
    'each quarantined message keeps its batch, receipt time and a non-empty detail for a person');
SELECT pg_temp.stage(4, kind, payload, '2026-11-02 14:36:00+00') FROM cases ORDER BY n;
SELECT is(pg_temp.land(4), ARRAY[21, 0, 0, 21, 0], 'the bad messages sent again are counted as quarantined again');
SELECT is((SELECT count(*) FROM tsi.quarantine AS q JOIN cases AS c ON q.payload = c.payload AND q.msg_type = c.kind),
          21::bigint, 'a re-sent bad message is stored once in tsi.quarantine (with its first batch)');
SELECT is_empty($$ SELECT FROM tsi.bsm_messages WHERE vehicle_id BETWEEN 800000 AND 800099
                   UNION ALL SELECT FROM tsi.psm_messages WHERE psm_id BETWEEN 800000 AND 800099 $$,
                'no invalid message reached the raw tables');

-- 4. A mixed batch: new, duplicate, invalid (new and known), clock skew within the hour ----------
SELECT pg_temp.stage(5, 'bsm', pg_temp.bsm(700301, '2026-11-02 14:40:00+00', pg_temp.near(201, 30, 270)));
SELECT pg_temp.stage(5, 'bsm', pg_temp.bsm(700302, '2026-11-02 15:10:00+00', pg_temp.near(201, 30, 270)), '2026-11-02 14:40:30+00');
SELECT pg_temp.stage(5, kind, payload) FROM batch1_messages LIMIT 1;
SELECT pg_temp.stage(5, 'bsm', pg_temp.core(pg_temp.ok_bsm(30), 'msgCnt', '-1'), '2026-11-02 14:40:30+00');
SELECT pg_temp.stage(5, kind, payload, '2026-11-02 14:40:30+00') FROM cases WHERE n = 9;
SELECT is(pg_temp.land(5), ARRAY[5, 2, 1, 2, 0],
          'a mixed batch: 2 landed (one timestamped 30 min after receipt), 1 duplicate, 2 quarantined (one already known)');
SELECT is((SELECT reason FROM tsi.quarantine WHERE payload = pg_temp.core(pg_temp.ok_bsm(30), 'msgCnt', '-1')), 'invalid_msg_cnt',
          'msgCnt -1 is quarantined as invalid_msg_cnt');

-- 5. MapData --------------------------------------------------------------------------------------
CREATE TEMP TABLE map_at AS SELECT pg_temp.near(201, 6000, 200) AS p;   -- 6 km away from A and B
SELECT pg_temp.stage(6, 'mapdata', pg_temp.mapdata(ARRAY[152, 153], ARRAY['Gallows Rd & Lee Hwy', NULL], (SELECT p FROM map_at), 3, 4));
SELECT pg_temp.stage(6, 'bsm', pg_temp.bsm(700310, '2026-11-02 14:45:00+00', ST_Project((SELECT p FROM map_at), 20, radians(10))));
SELECT is(pg_temp.land(6), ARRAY[2, 2, 0, 0, 0], 'a batch with a MapData and a BSM: both count as landed');
SELECT results_eq(
    $$ SELECT name::text, latitude, longitude, elevation, lane_count, lane_width, revision, region, time_zone,
              metadata -> 'speedLimits' -> 0 ->> 'speed'
       FROM tsi.intersections WHERE id = 152 $$,
    $$ SELECT 'Gallows Rd & Lee Hwy', ST_Y(p::geometry), ST_X(p::geometry), 110.5::float8, 4, 3.66::float8, 3, 12,
              'America/New_York', '15.6' FROM map_at $$,
    'decoded MapData upserts the intersection: name, refPoint, lane_count = laneSet length, lane width, revision, region, speed limits');
SELECT is((SELECT name::text FROM tsi.intersections WHERE id = 153), 'Intersection 153',
          'a MapData intersection without a name is called "Intersection <id>"');
SELECT is((SELECT intersection_id FROM tsi.bsm_messages WHERE vehicle_id = 700310), 152,
          'a BSM in the same batch as the MapData of its intersection is assigned to it (MapData first)');

-- An unchanged re-send must not touch the row; a new revision must.
SET LOCAL session_replication_role = replica;   -- set updated_at without the trigger that maintains it
UPDATE tsi.intersections SET updated_at = '2026-11-01 00:00+00' WHERE id IN (152, 153);
SET LOCAL session_replication_role = origin;
SELECT pg_temp.stage(7, 'mapdata', pg_temp.mapdata(ARRAY[152, 153], ARRAY['Gallows Rd & Lee Hwy', NULL], (SELECT p FROM map_at), 3, 4));
SELECT is(pg_temp.land(7), ARRAY[1, 1, 0, 0, 0], 'an unchanged MapData re-send counts as landed');
SELECT is((SELECT array_agg(updated_at ORDER BY id) FROM tsi.intersections WHERE id IN (152, 153)),
          ARRAY['2026-11-01 00:00+00', '2026-11-01 00:00+00']::timestamptz[],
          'an unchanged MapData re-send does not bump updated_at');
SELECT pg_temp.stage(8, 'mapdata', pg_temp.mapdata(ARRAY[152], ARRAY['Gallows Rd & Lee Hwy'], (SELECT p FROM map_at), 4, 5));
SELECT is(pg_temp.land(8), ARRAY[1, 1, 0, 0, 0], 'a new MapData revision lands');
SELECT results_eq(
    $$ SELECT revision, lane_count, updated_at = now() FROM tsi.intersections WHERE id = 152 $$,
    $$ VALUES (4, 5, true) $$,
    'a new MapData revision updates revision, lane_count and updated_at');
SELECT is((SELECT updated_at FROM tsi.intersections WHERE id = 153), '2026-11-01 00:00+00'::timestamptz,
          'an intersection not in the new MapData is left alone');

-- 6. The assignment radius is configuration ------------------------------------------------------
-- Version 2 from 2026-11-05 assigns within 130 m: 115 m west of A is then A's (189 m from B).
INSERT INTO tsi.formula_config (formula_version, effective_from, description, assignment_radius_m)
VALUES (2, '2026-11-05 00:00+00', 'test: assignment radius 130 m', 130);
SELECT pg_temp.stage(9, 'bsm', pg_temp.bsm(700320, '2026-11-04 12:00:00+00', pg_temp.near(201, 115, 270)));
SELECT pg_temp.stage(10, 'bsm', pg_temp.bsm(700321, '2026-11-06 12:00:00+00', pg_temp.near(201, 115, 270)));
SELECT is(ARRAY[(pg_temp.land(9))[1:4], (pg_temp.land(10))[1:4]], ARRAY[ARRAY[1, 1, 0, 0], ARRAY[1, 1, 0, 0]],
          'a message 115 m from A lands under version 1 and under version 2');
SELECT is(ARRAY[(pg_temp.last(9))[5], (pg_temp.last(10))[5]], ARRAY[1, 0],
          '115 m from A: counted unassigned under version 1 (radius 100 m), not under version 2 (radius 130 m)');
SELECT results_eq(
    $$ SELECT vehicle_id, intersection_id FROM tsi.bsm_messages WHERE vehicle_id IN (700320, 700321) ORDER BY 1 $$,
    $$ VALUES (700320::bigint, NULL::integer), (700321, 201) $$,
    'the assignment radius comes from the formula version in force at the message time');
-- One batch spanning both versions: each message must get the radius of its own time.
SELECT pg_temp.stage(11, 'bsm', pg_temp.bsm(700322, '2026-11-04 12:00:01+00', pg_temp.near(201, 115, 270)));
SELECT pg_temp.stage(11, 'bsm', pg_temp.bsm(700323, '2026-11-06 12:00:01+00', pg_temp.near(201, 115, 270)));
SELECT is((pg_temp.land(11))[1:4], ARRAY[2, 2, 0, 0], 'a batch spanning two formula versions lands both messages');
SELECT results_eq(
    $$ SELECT vehicle_id, intersection_id FROM tsi.bsm_messages WHERE vehicle_id IN (700322, 700323) ORDER BY 1 $$,
    $$ VALUES (700322::bigint, NULL::integer), (700323, 201) $$,
    'a batch spanning two formula versions assigns each message with the radius of its own time');

-- 7. Partitions follow UTC days whatever the session's time zone -----------------------------------
SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT pg_temp.stage(12, 'bsm', pg_temp.bsm(700330, '2026-10-20 03:00:00+00', pg_temp.near(201, 30, 0)));
SELECT is(pg_temp.land(12), ARRAY[1, 1, 0, 0, 0], 'a BSM landed from a session in America/Los_Angeles lands');
SELECT is(pg_temp.bsm_partition(700330), 'tsi.bsm_messages_20261020',
          'a BSM at 03:00 UTC landed from a session in America/Los_Angeles goes to the partition of its UTC day');
DELETE FROM tsi.bsm_messages WHERE vehicle_id = 700330;   -- whatever the outcome, leave the default partition empty
SET LOCAL TimeZone = 'UTC';
-- Only the days that have messages: one stale timestamp (any from 2015 on passes validation) must not
-- make a batch create a partition for every day up to today (thousands: out of shared memory).
SELECT pg_temp.stage(15, 'bsm', pg_temp.bsm(700360, '2026-07-01 12:00:00+00', pg_temp.near(201, 30, 0)));
SELECT pg_temp.stage(15, 'bsm', pg_temp.bsm(700361, '2026-08-09 12:00:00+00', pg_temp.near(201, 30, 0)));
SELECT is((pg_temp.land(15))[1:4], ARRAY[2, 2, 0, 0], 'a batch with messages 39 days apart lands');
SELECT is(ARRAY(SELECT relname::text FROM pg_class WHERE relnamespace = 'tsi'::regnamespace AND relkind = 'r'
                  AND relname ~ '^bsm_messages_20260[78]' ORDER BY relname),
          ARRAY['bsm_messages_20260701', 'bsm_messages_20260809'],
          'a batch with messages 39 days apart creates the partitions of those two days only');
SELECT is(ARRAY(SELECT relname::text FROM pg_class WHERE relnamespace = 'tsi'::regnamespace AND relkind = 'r'
                  AND relname ~ '^features_minute_20260(70[12]|80[9]|810)' ORDER BY relname),
          ARRAY['features_minute_20260701', 'features_minute_20260702', 'features_minute_20260809', 'features_minute_20260810'],
          'landing also makes the feature partitions of those days and the next (processing then creates none and locks nothing)');

-- 8. A malformed field the validation does not look at must not abort the batch -----------------
SELECT lives_ok(
    $$ SELECT pg_temp.stage(13, 'mapdata', pg_temp.mapdata(ARRAY[160], ARRAY['bad revision'], pg_temp.near(201, 3000, 90), 200, 2)),
              pg_temp.stage(13, 'bsm', pg_temp.bsm(700340, '2026-11-02 16:00:00+00', pg_temp.near(201, 30, 0))),
              pg_temp.land(13) $$,
    'a batch with a MapData of revision 200 still lands');
SELECT is((SELECT reason FROM tsi.quarantine WHERE payload -> 'intersections' -> 0 ->> 'name' = 'bad revision'), 'invalid_mapdata',
          'a MapData with revision 200 is quarantined as invalid_mapdata');
SELECT lives_ok(
    $$ SELECT pg_temp.stage(14, 'bsm', pg_temp.core(pg_temp.bsm(700350, '2026-11-02 16:00:00+00', pg_temp.near(201, 30, 0)),
                                                    'brakes,wheelBrakes', '5000000000')),
              pg_temp.stage(14, 'bsm', pg_temp.bsm(700351, '2026-11-02 16:00:00+00', pg_temp.near(201, 30, 0))),
              pg_temp.land(14) $$,
    'a BSM whose wheelBrakes does not fit an integer does not abort its batch');

-- 9. The typed path: tsi.land_typed lands what tsi.land_batch lands --------------------------------
-- Staged as the collector stages: tsi.land_typed_begin, the fields typed from the text (here by
-- jsonb) into pg_temp.land_rows, tsi.typed_refused, then the text of each refused row in
-- tsi.message_staging.
CREATE TEMP TABLE typed_texts (b integer, ord integer, payload jsonb);
CREATE FUNCTION pg_temp.stage_typed(b integer, payload jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO typed_texts SELECT stage_typed.b, coalesce(max(t.ord), 0) + 1, stage_typed.payload FROM typed_texts AS t WHERE t.b = stage_typed.b;
    INSERT INTO pg_temp.land_rows (ord, msg_type, received_at, ts_ms, object_id, msg_cnt, sec_mark,
                                   latitude, longitude, elevation, speed, heading, accel_lon, accel_lat, wheel_brakes,
                                   vehicle_length, vehicle_width, basic_type, rsu_name)
    SELECT (SELECT max(t.ord) FROM typed_texts AS t WHERE t.b = stage_typed.b), 'bsm',
           to_timestamp((payload ->> 'timestamp')::numeric / 1000) + interval '1 second',
           (payload ->> 'timestamp')::bigint, (c ->> 'id')::bigint, (c ->> 'msgCnt')::bigint, (c ->> 'secMark')::bigint,
           (c ->> 'lat')::float8, (c ->> 'lon')::float8, (c ->> 'elev')::float8, (c ->> 'speed')::float8,
           (c ->> 'heading')::float8, (c -> 'accelSet' ->> 'lon')::float8, (c -> 'accelSet' ->> 'lat')::float8,
           (c -> 'brakes' ->> 'wheelBrakes')::bigint, (c -> 'size' ->> 'length')::bigint, (c -> 'size' ->> 'width')::bigint,
           NULL, payload ->> 'rsuName'
    FROM (SELECT payload -> 'bsmJson' -> 'coreData' AS c) AS x
$$;
CREATE TEMP TABLE refused_rows (b integer, ord bigint);
CREATE FUNCTION pg_temp.stage_refused(b integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO refused_rows SELECT stage_refused.b, r.ord FROM tsi.typed_refused() AS r (ord);
    INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload)
    SELECT pg_temp.batch(stage_refused.b), 'bsm', to_timestamp((t.payload ->> 'timestamp')::numeric / 1000) + interval '1 second', t.payload
    FROM refused_rows AS r JOIN typed_texts AS t ON t.b = r.b AND t.ord = r.ord
    WHERE r.b = stage_refused.b
$$;
CREATE FUNCTION pg_temp.land_typed(b integer) RETURNS integer[] LANGUAGE plpgsql AS $$
DECLARE r integer; l integer; d integer; q integer; u integer;
BEGIN
    CALL tsi.land_typed(pg_temp.batch(b), r, l, d, q, u);
    RETURN ARRAY[r, l, d, q, u];
END
$$;
CREATE FUNCTION pg_temp.plain(id bigint) RETURNS boolean LANGUAGE sql AS $$
    SELECT tsi.typed_plain(r.msg_type, r.received_at, r.ts, r.object_id, r.msg_cnt, r.sec_mark, r.latitude, r.longitude,
                           r.elevation, r.speed, r.heading, r.accel_lon, r.accel_lat, r.wheel_brakes, r.vehicle_length,
                           r.vehicle_width, r.basic_type)
    FROM pg_temp.land_rows AS r WHERE r.object_id = id
$$;
-- The same three messages by both paths (other vehicle ids): plain, the speed sentinel, a negative speed.
CALL tsi.land_typed_begin();
SELECT ok(has_table_privilege('collector', 'pg_temp.land_rows', 'INSERT'),
          'tsi.land_typed_begin: the collector may copy into the landing''s rows');
SELECT pg_temp.stage_typed(15, pg_temp.bsm(700400 + k, '2026-11-02 16:05:00+00', pg_temp.near(201, 20, 90), speed => sp))
FROM (VALUES (1, 11.58::float8), (2, 163.82), (3, -1)) AS v (k, sp) ORDER BY k;
SELECT pg_temp.stage(16, 'bsm', pg_temp.bsm(700410 + k, '2026-11-02 16:05:00+00', pg_temp.near(201, 20, 90), speed => sp))
FROM (VALUES (1, 11.58::float8), (2, 163.82), (3, -1)) AS v (k, sp);
SELECT ok(pg_temp.plain(700401), 'tsi.typed_plain: a valid BSM is plain');
SELECT ok(NOT pg_temp.plain(700402), 'tsi.typed_plain: the speed sentinel 163.82 is not (tsi.read_v2x decides)');
SELECT throws_ok($$ CALL tsi.land_typed(pg_temp.batch(15)) $$, '55000', NULL,
                 'land_typed of rows tsi.typed_refused has not checked raises (and lands nothing)');
SELECT pg_temp.stage_refused(15);
SELECT results_eq($$ SELECT ord FROM refused_rows WHERE b = 15 ORDER BY 1 $$, ARRAY[2, 3]::bigint[],
                  'tsi.typed_refused takes out the rows that are not plain and names them');
SELECT results_eq($$ SELECT ord FROM pg_temp.land_rows $$, ARRAY[1]::bigint[], 'the plain row stays');
DELETE FROM tsi.message_staging WHERE batch_id = pg_temp.batch(15) AND payload -> 'bsmJson' -> 'coreData' ->> 'id' = '700403';
SELECT throws_ok($$ CALL tsi.land_typed(pg_temp.batch(15)) $$, '22023', NULL,
                 'land_typed without the text of each refused row raises (and lands nothing)');
INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload)
SELECT pg_temp.batch(15), 'bsm', to_timestamp((t.payload ->> 'timestamp')::numeric / 1000) + interval '1 second', t.payload
FROM typed_texts AS t WHERE t.b = 15 AND t.ord = 3;
CREATE TEMP TABLE typed_counts AS SELECT pg_temp.land_typed(15) AS counts;
SELECT is((SELECT counts FROM typed_counts), pg_temp.land(16),
          'land_typed counts as land_batch: received, landed, duplicates, quarantined, unassigned');
SELECT results_eq(
    $$ SELECT vehicle_id - 700400, msg_cnt, sec_mark, ts, intersection_id, latitude, longitude, elevation, speed, heading,
              accel_lon, accel_lat, wheel_brakes, vehicle_length, vehicle_width, rsu_name
       FROM tsi.bsm_messages WHERE vehicle_id BETWEEN 700401 AND 700403 ORDER BY 1 $$,
    $$ SELECT vehicle_id - 700410, msg_cnt, sec_mark, ts, intersection_id, latitude, longitude, elevation, speed, heading,
              accel_lon, accel_lat, wheel_brakes, vehicle_length, vehicle_width, rsu_name
       FROM tsi.bsm_messages WHERE vehicle_id BETWEEN 700411 AND 700413 ORDER BY 1 $$,
    'land_typed stores the plain BSM exactly as land_batch reads it from the JSON');
SELECT results_eq(
    $$ SELECT reason, replace(detail, '70040', '7004x') FROM tsi.quarantine WHERE batch_id = pg_temp.batch(15) ORDER BY 1, 2 $$,
    $$ SELECT reason, replace(detail, '70041', '7004x') FROM tsi.quarantine WHERE batch_id = pg_temp.batch(16) ORDER BY 1, 2 $$,
    'land_typed quarantines the refused ones with land_batch''s reasons and details');
SELECT throws_ok($$ CALL tsi.land_typed(pg_temp.batch(17)) $$, '55000', NULL,
                 'a landing''s check does not serve the next typed landing of the transaction');
CALL tsi.land_typed_begin();
SELECT pg_temp.stage_typed(17, pg_temp.bsm(700401, '2026-11-02 16:05:00+00', pg_temp.near(201, 20, 90)));
SELECT pg_temp.stage_typed(17, jsonb_set(pg_temp.bsm(700404, '2026-11-02 16:05:00+00', pg_temp.near(201, 20, 90)),
                                         '{bsmJson,coreData,heading}', '0'));
UPDATE pg_temp.land_rows SET heading = '-0' WHERE object_id = 700404;
SELECT pg_temp.stage_refused(17);
SELECT is(pg_temp.land_typed(17), ARRAY[2, 1, 1, 0, 0], 'land_typed: a message landed before is a duplicate');
SELECT is((SELECT heading::text FROM tsi.bsm_messages WHERE vehicle_id = 700404), '0',
          'a typed -0 is stored as 0, as the JSON reader gives it');
SELECT throws_ok($$ CALL tsi.land_typed(NULL) $$, '22023', NULL, 'land_typed refuses a NULL batch id');
SELECT is_empty($$ SELECT FROM pg_temp.land_rows $$, 'a landing leaves no rows behind in pg_temp.land_rows');
-- a session that landed before the upgrade keeps release 1.0's table: the next landing replaces it
DROP TABLE pg_temp.land_rows;
SET LOCAL ROLE tsdb_owner;  -- whose landing procedures made it
CREATE TEMP TABLE land_rows (
    ord bigint, msg_type text, received_at timestamptz, payload jsonb, problem tsi.rejection,
    ts timestamptz, object_id bigint, msg_cnt smallint, sec_mark integer,
    latitude double precision, longitude double precision, elevation double precision,
    speed double precision, heading double precision, accel_lon double precision,
    accel_lat double precision, wheel_brakes integer, vehicle_length integer, vehicle_width integer,
    basic_type smallint, rsu_name text, radius double precision
) ON COMMIT DELETE ROWS;
RESET ROLE;
SELECT pg_temp.stage(18, 'bsm', pg_temp.bsm(700420, '2026-11-02 16:05:00+00', pg_temp.near(201, 20, 90)));
SELECT is(pg_temp.land(18), ARRAY[1, 1, 0, 0, 0], 'a session''s pg_temp.land_rows of release 1.0 is replaced, the batch lands');
SELECT ok(NOT has_function_privilege('collector', p, 'execute'), 'the collector cannot call ' || p || ' alone')
FROM unnest(ARRAY['tsi.land_rows_prepare()', 'tsi.land_rows_read_json(uuid, bigint, integer)',
                  'tsi.land_rows_move(uuid, integer, integer, integer, integer, integer)']) AS p;

-- 10. Nothing is silently dropped; nothing is left behind -------------------------------------------
SELECT is_empty($$ SELECT batch_id FROM tsi.landed_batches WHERE received <> landed + duplicates + quarantined $$,
                'every landed batch: received = landed + duplicates + quarantined');
SELECT is_empty($$ SELECT batch_id FROM tsi.message_staging $$, 'nothing is left in tsi.message_staging');
SELECT is_empty($$ SELECT FROM tsi.bsm_messages_default UNION ALL SELECT FROM tsi.psm_messages_default $$,
                'the default partitions of the raw tables stay empty');
SELECT throws_ok($$ CALL tsi.land_batch(NULL) $$, '22023', NULL, 'land_batch refuses a NULL batch id');

SELECT * FROM finish();
ROLLBACK;
