-- From raw messages to 1-minute features and rolling-window indices: distinct vehicles, hard
-- braking per vehicle, VRU and vehicle conflict events, local hour and weekday across DST and
-- in another zone, window sums, realtime invariants, idempotent reprocessing, late data through
-- process_pending, normalisation constants (bootstrap and chaining) and EB baselines.
-- The raw rows are built by hand (typed inserts) so that landing is not under test here; only the
-- late message goes through tsi.land_batch, as in production.
BEGIN;
SELECT plan(67);

-- Helpers ----------------------------------------------------------------------------------------

\ir lib/positions.psql

-- A landed BSM of vehicle v at intersection i (msgCnt and secMark follow from the time).
CREATE FUNCTION pg_temp.vehicle(i integer, v bigint, t timestamptz, north float8, east float8,
                                speed float8 DEFAULT 10, accel float8 DEFAULT 0) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, intersection_id,
                                  latitude, longitude, speed, accel_lon)
    VALUES (date_trunc('second', t), v, (extract(epoch FROM t) * 10)::bigint % 128, (extract(epoch FROM t) * 1000)::bigint % 60000,
            t, t + interval '1 second', i, pg_temp.lat_of(i, north), pg_temp.lon_of(i, east), speed, accel)
$$;

-- A landed PSM of pedestrian p at intersection i.
CREATE FUNCTION pg_temp.vru(i integer, p bigint, t timestamptz, north float8, east float8) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.psm_messages (ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, intersection_id, basic_type,
                                  latitude, longitude, speed)
    VALUES (date_trunc('second', t), p, (extract(epoch FROM t) * 10)::bigint % 128, (extract(epoch FROM t) * 1000)::bigint % 60000,
            t, t + interval '1 second', i, 1, pg_temp.lat_of(i, north), pg_temp.lon_of(i, east), 1.2)
$$;

-- A message every `step` from `first` for `n` messages (used for the repeated messages of one road user).
CREATE FUNCTION pg_temp.times(first timestamptz, n integer, step interval DEFAULT '1 second') RETURNS SETOF timestamptz
LANGUAGE sql AS $$ SELECT first + step * k FROM generate_series(0, n - 1) AS k $$;

-- The realtime row of an intersection and minute.
CREATE FUNCTION pg_temp.rt(i integer, t timestamptz) RETURNS tsi.safety_indices_realtime LANGUAGE sql AS $$
    SELECT * FROM tsi.safety_indices_realtime WHERE intersection_id = i AND timestamp = t
$$;

-- The EB columns of a realtime row equal clip(raw + (B − raw)·k/(N + k)), N = window vehicles + 1, k = 50,
-- for the given combined, VRU and vehicle baselines.
CREATE FUNCTION pg_temp.eb_is(r tsi.safety_indices_realtime, b_combined float8, b_vru float8, b_vehicle float8, what text)
RETURNS text LANGUAGE sql AS $$
    SELECT ok(coalesce(bool_and(abs(eb - greatest(0, least(100, raw + (b - raw) * 50 / (r.window_volume + 1 + 50)))) < 1e-9), false),
              format('%s (combined %s → %s, VRU %s → %s, vehicle %s → %s, window vehicles %s)', what,
                     r.combined_index, r.combined_index_eb, r.vru_index, r.vru_index_eb, r.vehicle_index, r.vehicle_index_eb,
                     r.window_volume))
    FROM (VALUES (r.combined_index, r.combined_index_eb, b_combined), (r.vru_index, r.vru_index_eb, b_vru),
                 (r.vehicle_index, r.vehicle_index_eb, b_vehicle)) AS x(raw, eb, b)
$$;

-- CALL tsi.land_batch and return {received, landed, duplicates, quarantined, unassigned}.
CREATE FUNCTION pg_temp.land(b uuid) RETURNS integer[] LANGUAGE plpgsql AS $$
DECLARE r integer; l integer; d integer; q integer; u integer;
BEGIN
    CALL tsi.land_batch(b, r, l, d, q, u);
    RETURN ARRAY[r, l, d, q, u];
END
$$;

-- CALL tsi.process_pending and return how many minutes it took.
CREATE FUNCTION pg_temp.process_pending() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
    CALL tsi.process_pending(240, n);
    RETURN n;
END
$$;

-- Hand-built message sets ---------------------------------------------------------------------
-- Nothing but this file's data: the tables the processing reads and writes start empty.
DELETE FROM tsi.safety_indices_realtime;
DELETE FROM tsi.features_minute;
DELETE FROM tsi.normalization_constants;
DELETE FROM tsi.eb_baselines;
DELETE FROM tsi.pending_minutes;
DELETE FROM tsi.data_quality_log WHERE issue_type = 'constants_bootstrap';

INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (1001, 'Test New York', 38.86, -77.22);
INSERT INTO tsi.intersections (id, name, latitude, longitude, time_zone) VALUES (1002, 'Test Tokyo', 35.68, 139.76, 'Asia/Tokyo');
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (1003, 'Test history only', 38.95, -77.40);
SELECT tsi.create_daily_partitions(p, d, d)
FROM unnest(ARRAY['tsi.bsm_messages', 'tsi.psm_messages']::regclass[]) AS p,
     unnest(ARRAY['2026-03-08', '2026-11-01', '2026-11-10', '2026-11-12', '2026-11-16']::date[]) AS d;

-- 2026-11-10 (a Tuesday), intersection 1001 (New York, UTC−5):
-- 15:00 vehicle 1: 10 messages, speeds 10…19 m/s, accelSet.lon −3.4 (the threshold) in the first 5.
SELECT pg_temp.vehicle(1001, 1, timestamptz '2026-11-10 15:00:00+00' + k * interval '5 seconds', -30, 0, 10 + k,
                       CASE WHEN k < 5 THEN -3.4 ELSE 0 END)
FROM generate_series(0, 9) AS k;
-- 15:01 vehicle 2: 3 messages at −3.39 m/s² (not hard braking).
SELECT pg_temp.vehicle(1001, 2, t, -30, 30, 12, -3.39) FROM pg_temp.times('2026-11-10 15:01:01+00', 3, '5 seconds') AS t;
-- 15:14 pedestrian 501 5 m from vehicle 10 in 3 × 3 message pairs (one event); pedestrian 504 at vehicle 13's
-- place exactly 5 s later (one event).
SELECT pg_temp.vehicle(1001, 10, t, 5, 0, 8) FROM pg_temp.times('2026-11-10 15:14:00+00', 3) AS t;
SELECT pg_temp.vru(1001, 501, t, 0, 0) FROM pg_temp.times('2026-11-10 15:14:00+00', 3) AS t;
SELECT pg_temp.vehicle(1001, 13, '2026-11-10 15:14:30+00', 0, -40, 8);
SELECT pg_temp.vru(1001, 504, '2026-11-10 15:14:35+00', 0, -40);
-- 15:15 vehicles 20 (15 m/s) and 21 (5 m/s) 3 m apart, three messages each: one unordered pair.
SELECT pg_temp.vehicle(1001, 20, t, 40, 0, 15) FROM pg_temp.times('2026-11-10 15:15:10+00', 3, '2 seconds') AS t;
SELECT pg_temp.vehicle(1001, 21, t, 43, 0, 5) FROM pg_temp.times('2026-11-10 15:15:10+00', 3, '2 seconds') AS t;
-- 15:29 and 15:30 vehicle 40 alone.
SELECT pg_temp.vehicle(1001, 40, t, -50, 0, 9) FROM (VALUES ('2026-11-10 15:29:30+00'::timestamptz), ('2026-11-10 15:30:30+00')) AS x(t);
-- 15:40:58 pedestrian 700 alone (a vehicle passing it at 15:41:01 arrives late, below).
SELECT pg_temp.vru(1001, 700, '2026-11-10 15:40:58+00', 0, 80);
-- 16:00 pedestrian 502 11 m from vehicle 12 (no event).
SELECT pg_temp.vehicle(1001, 12, t, 5, 0, 8) FROM pg_temp.times('2026-11-10 16:00:00+00', 3) AS t;
SELECT pg_temp.vru(1001, 502, t, 16, 0) FROM pg_temp.times('2026-11-10 16:00:00+00', 3) AS t;
-- 16:30 pedestrian 503 at vehicle 11's place 6 s later (no event).
SELECT pg_temp.vehicle(1001, 11, '2026-11-10 16:30:30+00', 0, 40, 8);
SELECT pg_temp.vru(1001, 503, '2026-11-10 16:30:36+00', 0, 40);
-- 17:00 a pedestrian alone: every feature that enters the indices is 0.
SELECT pg_temp.vru(1001, 600, '2026-11-10 17:00:30+00', 0, 0);
-- 18:00 vehicle pairs that are no events: Δspeed 4, Δspeed exactly 5, 11 m apart with Δspeed 10.
SELECT pg_temp.vehicle(1001, v, t, north, east, speed)
FROM (VALUES (22, 40, 40, 10), (23, 43, 40, 6), (24, 40, -40, 10), (25, 43, -40, 5), (26, -40, 0, 15), (27, -51, 0, 5))
         AS p(v, north, east, speed),
     pg_temp.times('2026-11-10 18:00:10+00', 3, '2 seconds') AS t;
-- 15:00 UTC at intersection 1002 (Tokyo, UTC+9): Wednesday 00:00 local.
SELECT pg_temp.vehicle(1002, 80, '2026-11-10 15:00:30+00', 0, 0, 7);

-- Around the DST changes of America/New_York: 2026-03-08 07:00 UTC (02:00 EST → 03:00 EDT) and
-- 2026-11-01 06:00 UTC (02:00 EDT → 01:00 EST); and the local midnight Saturday → Sunday.
SELECT pg_temp.vehicle(1001, 90 + k, t, 0, 0)
FROM unnest(ARRAY['2026-03-08 06:59:30+00', '2026-03-08 07:00:30+00', '2026-11-01 03:59:30+00', '2026-11-01 04:00:30+00',
                  '2026-11-01 05:59:30+00', '2026-11-01 06:00:30+00']::timestamptz[]) WITH ORDINALITY AS x(t, k);

-- 2026-11-12, after the EB baselines computed below: 1001 at local hours 10 and 12, 1002.
SELECT pg_temp.vehicle(1001, 60, '2026-11-12 15:00:30+00', 0, 0);
SELECT pg_temp.vehicle(1001, 61, '2026-11-12 17:00:30+00', 0, 0);
SELECT pg_temp.vehicle(1002, 62, '2026-11-12 15:00:30+00', 0, 0);

-- Constants bootstrap on the first processing ---------------------------------------------------
SELECT is_empty($$ SELECT FROM tsi.normalization_constants $$, 'no normalisation constants before the first processing');
CALL tsi.process_range('2026-11-10 00:00+00', '2026-11-11 00:00+00');

SELECT results_eq(
    $$ SELECT valid_from, valid_until, is_bootstrap, sample_windows FROM tsi.normalization_constants $$,
    $$ SELECT '2026-11-10+00'::timestamptz, '2026-11-11+00'::timestamptz, true, count(*) FROM tsi.safety_indices_realtime $$,
    'first processing bootstraps constants for the UTC day of its minutes (fewer than 60 minutes with data), from every window that exists');
SELECT results_eq(
    $$ SELECT (constants ->> 'v_max')::float8, (constants ->> 'i_vru_max')::float8, (constants ->> 'i_veh_max')::float8,
              (constants ->> 'hb_max')::float8 FROM tsi.normalization_constants $$,
    $$ VALUES (6::float8, 2::float8, 1::float8, 1::float8) $$,
    'bootstrap constants are maxima of window features: V 6 (18:00), I_VRU 2 (15:14), I_veh 1, HB 1');
SELECT ok(EXISTS (SELECT FROM tsi.data_quality_log AS l JOIN tsi.normalization_constants AS k
                  ON (l.metadata ->> 'constants_id')::integer = k.id
                  WHERE l.issue_type = 'constants_bootstrap'),
          'the bootstrap is logged in tsi.data_quality_log with the constants id');

-- 1-minute features ---------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT minute, bsm_count, psm_count, traffic_volume, vru_count, hard_braking_count, vru_event_count, vehicle_event_count
       FROM tsi.features_minute WHERE intersection_id = 1001 AND minute < '2026-11-10 15:02+00' ORDER BY minute $$,
    $$ VALUES ('2026-11-10 15:00+00'::timestamptz, 10, 0, 1, 0, 1, 0, 0), ('2026-11-10 15:01+00', 3, 0, 1, 0, 0, 0, 0) $$,
    '10 messages of one vehicle: volume 1; braking at −3.4 m/s² in 5 messages: 1 hard braking vehicle; −3.39: none');
SELECT results_eq(
    $$ SELECT bsm_count, psm_count, traffic_volume, vru_count, vru_event_count FROM tsi.features_minute
       WHERE intersection_id = 1001 AND minute = '2026-11-10 15:14+00' $$,
    $$ VALUES (4, 4, 2, 2, 2) $$,
    'VRUs: distinct PSM ids counted; a (VRU, vehicle) pair counts once over 9 close message pairs, and 5 s apart still counts');
SELECT is((SELECT vru_event_count FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-10 16:00+00'), 0,
          'a VRU 11 m from a vehicle is no VRU event');
SELECT is((SELECT vru_event_count FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-10 16:30+00'), 0,
          'a VRU at a vehicle''s place 6 s after it is no VRU event');
SELECT is((SELECT vehicle_event_count FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-10 15:15+00'), 1,
          'two vehicles 3 m apart with Δspeed 10 m/s over 3 × 3 message pairs: one event (unordered, both orders not doubled)');
SELECT results_eq(
    $$ SELECT traffic_volume, vehicle_event_count FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-10 18:00+00' $$,
    $$ VALUES (6, 0) $$,
    'no vehicle events for Δspeed 4 m/s, Δspeed exactly 5 m/s (must be > 5), or 11 m apart');
SELECT results_eq(
    $$ SELECT minute, traffic_volume, vru_count, speed_n FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-10 17:00+00' $$,
    $$ VALUES ('2026-11-10 17:00+00'::timestamptz, 0, 1, 0) $$,
    'a minute with only a pedestrian has a feature row with no vehicles');

-- Rolling windows (15 minutes ending with the minute) --------------------------------------------
SELECT results_eq(
    $$ SELECT minute, (features).traffic_volume, (features).hard_braking_count, (features).vru_event_count,
              (features).vehicle_event_count, window_volume
       FROM tsi.window_features('2026-11-10 15:00+00', '2026-11-10 15:31+00', 15) WHERE intersection_id = 1001 ORDER BY minute $$,
    $$ VALUES ('2026-11-10 15:00+00'::timestamptz, 1::float8, 1::float8, 0::float8, 0::float8, 1),
              ('2026-11-10 15:01+00', 2, 1, 0, 0, 2),
              ('2026-11-10 15:14+00', 4, 1, 2, 0, 4),
              ('2026-11-10 15:15+00', 5, 0, 2, 1, 5),
              ('2026-11-10 15:29+00', 3, 0, 0, 1, 3),
              ('2026-11-10 15:30+00', 2, 0, 0, 0, 2) $$,
    'window counts are sums over the minutes t−14 … t: 15:14 still sees 15:00, 15:15 no longer does');
SELECT results_eq(
    $$ SELECT round((features).avg_speed::numeric, 6), round((features).speed_stddev::numeric, 6)
       FROM tsi.window_features('2026-11-10 15:00+00', '2026-11-10 15:01+00', 15) WHERE intersection_id = 1001 $$,
    $$ VALUES (14.5::numeric, round(sqrt(82.5 / 9)::numeric, 6)) $$,
    'window speed: mean and sample standard deviation of the messages'' speeds (10 … 19 m/s)');
SELECT results_eq(
    $$ SELECT timestamp, window_volume, traffic_volume, vru_count, vru_event_count, vehicle_event_count, hard_braking_count
       FROM tsi.safety_indices_realtime WHERE intersection_id = 1001 AND timestamp >= '2026-11-10' AND timestamp < '2026-11-11'
       ORDER BY timestamp $$,
    $$ VALUES ('2026-11-10 15:00+00'::timestamptz, 1, 1, 0, 0, 0, 1), ('2026-11-10 15:01+00', 2, 1, 0, 0, 0, 0),
              ('2026-11-10 15:14+00', 4, 2, 2, 2, 0, 0), ('2026-11-10 15:15+00', 5, 2, 0, 0, 1, 0),
              ('2026-11-10 15:29+00', 3, 1, 0, 0, 0, 0), ('2026-11-10 15:30+00', 2, 1, 0, 0, 0, 0),
              ('2026-11-10 15:40+00', 2, 0, 1, 0, 0, 0), ('2026-11-10 16:00+00', 1, 1, 1, 0, 0, 0), ('2026-11-10 16:30+00', 1, 1, 1, 0, 0, 0),
              ('2026-11-10 17:00+00', 0, 0, 1, 0, 0, 0), ('2026-11-10 18:00+00', 6, 6, 0, 0, 0, 0) $$,
    'one realtime row per minute with data: the minute''s counts and the window''s vehicles');
SELECT is((pg_temp.rt(1001, '2026-11-10 15:00+00')).avg_speed, 14.5::float8, 'realtime avg_speed is the minute''s mean speed in m/s');

-- Realtime rows -----------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT combined_index, vru_index, vehicle_index, traffic_index FROM tsi.safety_indices_realtime
       WHERE intersection_id = 1001 AND timestamp = '2026-11-10 17:00+00' $$,
    $$ VALUES (0::float8, 0::float8, 0::float8, 0::float8) $$,
    'zero is a valid index: a minute whose features are all 0 gets a row with indices 0');
SELECT results_eq(
    $$ SELECT r.vru_index, r.vehicle_index FROM tsi.safety_indices_realtime AS r
       WHERE r.intersection_id = 1001 AND r.timestamp = '2026-11-10 15:15+00' $$,
    $$ SELECT tsi.vru_index(w.features, tsi.norm_constants_from_jsonb(k.constants), tsi.formula_at(w.minute)),
              tsi.vehicle_index(w.features, tsi.norm_constants_from_jsonb(k.constants), tsi.formula_at(w.minute))
       FROM tsi.window_features('2026-11-10 15:15+00', '2026-11-10 15:16+00', 15) AS w, tsi.normalization_constants AS k
       WHERE w.intersection_id = 1001 $$,
    'the VRU and vehicle indices are the index functions of the window features and the constants in force');

-- Local time: New York across both DST changes, Tokyo, and the 0 = Monday convention ------------------
CALL tsi.process_range('2026-03-08 06:00+00', '2026-03-08 08:00+00');
CALL tsi.process_range('2026-11-01 03:00+00', '2026-11-01 07:00+00');
SELECT results_eq(
    $$ SELECT timestamp, hour_of_day, day_of_week FROM tsi.safety_indices_realtime
       WHERE intersection_id = 1001 AND timestamp < '2026-03-09' ORDER BY timestamp $$,
    $$ VALUES ('2026-03-08 06:59+00'::timestamptz, 1, 6), ('2026-03-08 07:00+00', 3, 6) $$,
    'spring forward in New York: 06:59 UTC is 01:59 EST, 07:00 UTC is 03:00 EDT, a Sunday (6)');
SELECT results_eq(
    $$ SELECT timestamp, hour_of_day, day_of_week FROM tsi.safety_indices_realtime
       WHERE intersection_id = 1001 AND timestamp >= '2026-11-01 05:00+00' AND timestamp < '2026-11-02' ORDER BY timestamp $$,
    $$ VALUES ('2026-11-01 05:59+00'::timestamptz, 1, 6), ('2026-11-01 06:00+00', 1, 6) $$,
    'fall back in New York: 05:59 UTC is 01:59 EDT and 06:00 UTC is 01:00 EST, both hour 1 of a Sunday');
SELECT results_eq(
    $$ SELECT timestamp, hour_of_day, day_of_week FROM tsi.safety_indices_realtime
       WHERE intersection_id = 1001 AND timestamp >= '2026-11-01 03:00+00' AND timestamp < '2026-11-01 05:00+00' ORDER BY timestamp $$,
    $$ VALUES ('2026-11-01 03:59+00'::timestamptz, 23, 5), ('2026-11-01 04:00+00', 0, 6) $$,
    'local midnight: 03:59 UTC is Saturday (5) 23:59 EDT, 04:00 UTC is Sunday (6) 00:00');
SELECT results_eq(
    $$ SELECT hour_of_day, day_of_week FROM tsi.safety_indices_realtime
       WHERE timestamp IN ('2026-11-10 15:00+00') ORDER BY intersection_id $$,
    $$ VALUES (10, 1), (0, 2) $$,
    '2026-11-10 15:00 UTC: Tuesday (1) 10:00 in New York, Wednesday (2) 00:00 in Tokyo');
SELECT is(ARRAY(SELECT tsi.local_day_of_week(d + time '12:00', 'UTC') FROM generate_series(date '2026-11-09', '2026-11-15', '1 day') AS d),
          ARRAY[0, 1, 2, 3, 4, 5, 6], 'day_of_week: Monday 2026-11-09 is 0 … Sunday 2026-11-15 is 6');

-- EB baselines from hourly rows ---------------------------------------------------------------------
-- Hourly history on 2026-11-05: 1001 at local hours 10 and 11, 1003 at hour 10 (twice the minutes).
INSERT INTO tsi.safety_indices_hourly (intersection_id, hour_timestamp, avg_si, min_si, max_si, total_volume, avg_volume,
                                       avg_combined_raw, avg_vru_raw, avg_vehicle_raw, minutes_with_data, hour_of_day, day_of_week)
VALUES (1001, '2026-11-05 15:00+00', 40, 40, 40, 30, 1, 40, 30, 55, 30, 10, 3),
       (1001, '2026-11-05 16:00+00', 60, 60, 60, 30, 1, 60, 70, 45, 30, 11, 3),
       (1003, '2026-11-05 15:00+00', 20, 20, 20, 60, 1, 20, 10, 30, 60, 10, 3);
SELECT is(tsi.store_baselines('2026-11-12 00:00+00'), true, 'store_baselines makes the set of 2026-11-12');
SELECT results_eq(
    $$ SELECT intersection_id, hour_of_day, combined_baseline, vru_baseline, vehicle_baseline, sample_minutes
       FROM tsi.eb_baselines WHERE valid_from = '2026-11-12 00:00+00'
       ORDER BY intersection_id NULLS LAST, hour_of_day NULLS LAST $$,
    $$ VALUES (1001, 10, 40::float8, 30::float8, 55::float8, 30::bigint), (1001, 11, 60, 70, 45, 30), (1001, NULL, 50, 50, 50, 60),
              (1003, 10, 20, 10, 30, 60), (1003, NULL, 20, 10, 30, 60), (NULL, NULL, 35, 30, 40, 120) $$,
    'baselines: minute-weighted means per (intersection, local hour), per intersection and for the network');
CALL tsi.process_range('2026-11-12 00:00+00', '2026-11-13 00:00+00');
SELECT pg_temp.eb_is(pg_temp.rt(1001, '2026-11-10 15:15+00'), 20, 20, 20,
                     'a minute processed while no baselines existed: EB falls back to the configured default 20');
SELECT is((tsi.formula_at('2026-11-10')).eb_default_baseline, 20::float8, 'the default baseline 20 is configuration');
SELECT pg_temp.eb_is(pg_temp.rt(1001, '2026-11-12 15:00+00'), 40, 30, 55, 'local hour 10 with history: the (intersection, hour) baselines');
SELECT pg_temp.eb_is(pg_temp.rt(1001, '2026-11-12 17:00+00'), 50, 50, 50, 'local hour 12 without history: the intersection''s baselines');
SELECT pg_temp.eb_is(pg_temp.rt(1002, '2026-11-12 15:00+00'), 35, 30, 40, 'an intersection without history: the network baselines');

-- Invariants of every realtime row -------------------------------------------------------------------
SELECT is_empty(
    $$ SELECT intersection_id, timestamp FROM tsi.safety_indices_realtime
       WHERE NOT (combined_index BETWEEN 0 AND 100 AND vru_index BETWEEN 0 AND 100 AND vehicle_index BETWEEN 0 AND 100
                  AND traffic_index BETWEEN 0 AND 100) $$,
    'every index lies in [0, 100]');
SELECT is_empty($$ SELECT timestamp FROM tsi.safety_indices_realtime WHERE combined_index IS DISTINCT FROM traffic_index $$,
                'combined index = traffic index while the weather weight is 0');
SELECT is_empty(
    $$ SELECT timestamp FROM tsi.safety_indices_realtime
       WHERE combined_index_eb IS NULL OR vru_index_eb IS NULL OR vehicle_index_eb IS NULL $$,
    'the EB columns are never NULL (trap 8)');
SELECT is_empty(
    $$ SELECT timestamp FROM tsi.safety_indices_realtime
       WHERE formula_version IS DISTINCT FROM 1
          OR NOT EXISTS (SELECT FROM tsi.normalization_constants AS k WHERE k.id = constants_id
                           AND k.valid_from <= timestamp AND k.valid_until > timestamp) $$,
    'every row records formula version 1 and the constants of its minute it was scored with');

-- Idempotency -----------------------------------------------------------------------------------------
CREATE TEMP TABLE snap_realtime AS SELECT * FROM tsi.safety_indices_realtime;
CREATE TEMP TABLE snap_features AS SELECT * FROM tsi.features_minute;
CREATE TEMP TABLE snap_constants AS SELECT id, valid_from, valid_until, is_bootstrap, constants FROM tsi.normalization_constants;
CALL tsi.process_range('2026-11-10 00:00+00', '2026-11-11 00:00+00');
CALL tsi.process_range('2026-11-10 15:10+00', '2026-11-10 15:20+00');
CALL tsi.process_range('2026-11-01 03:00+00', '2026-11-01 07:00+00');
CALL tsi.process_range('2026-11-12 00:00+00', '2026-11-13 00:00+00');
SELECT results_eq('SELECT * FROM tsi.safety_indices_realtime ORDER BY intersection_id, timestamp',
                  'SELECT * FROM snap_realtime ORDER BY intersection_id, timestamp',
                  'processing the same ranges again (and an overlapping one) leaves every realtime row identical, ids included');
SELECT results_eq('SELECT * FROM tsi.features_minute ORDER BY intersection_id, minute',
                  'SELECT * FROM snap_features ORDER BY intersection_id, minute',
                  'processing the same ranges again leaves every feature row identical');
SELECT results_eq('SELECT id, valid_from, valid_until, is_bootstrap, constants FROM tsi.normalization_constants ORDER BY id',
                  'SELECT * FROM snap_constants ORDER BY id',
                  'reprocessing makes no constants again and changes none');
SELECT results_eq($$ SELECT valid_from, history_until FROM tsi.normalization_constants WHERE valid_from = '2026-11-12+00' $$,
                  $$ VALUES ('2026-11-12+00'::timestamptz, '2026-11-01 03:00+00'::timestamptz - interval '1 microsecond') $$,
                  'reprocessing marks the constants whose history it changed for recomputation (their history ends before the earliest range reprocessed)');
SELECT pg_temp.eb_is(pg_temp.rt(1001, '2026-11-10 15:00+00'), 20, 20, 20,
                     'a minute before the first baseline set, reprocessed once it exists, still falls back to the default 20');

-- Late data: a message for an already processed minute, through land_batch and process_pending ----------
UPDATE tsi.rollup_watermarks SET watermark = '2026-11-11 00:00+00' WHERE rollup = 'hourly';   -- 2026-11-10 is rolled up
DELETE FROM tsi.dirty_hours;
-- Vehicle 50 at 15:15:40 (60 m from everything), vehicle 51 at 15:41:01 3 m from pedestrian 700 (15:40:58):
-- the pair belongs to the later message's minute, 15:41.
INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload)
SELECT '00000000-0000-0000-0000-000000000120', 'bsm', '2026-11-10 15:45:00+00', jsonb_build_object(
        'timestamp', (extract(epoch FROM t) * 1000)::bigint, 'rsuName', 'late',
        'bsmJson', jsonb_build_object('coreData', jsonb_build_object(
            'msgCnt', 5, 'id', v, 'secMark', (extract(epoch FROM t) * 1000)::bigint % 60000,
            'lat', pg_temp.lat_of(1001, north), 'lon', pg_temp.lon_of(1001, east), 'speed', 11, 'accelSet', jsonb_build_object('lon', 0))))
FROM (VALUES (50, timestamptz '2026-11-10 15:15:40+00', -60, -60), (51, '2026-11-10 15:41:01+00', 3, 80)) AS m(v, t, north, east);
SELECT is(pg_temp.land('00000000-0000-0000-0000-000000000120'), ARRAY[2, 2, 0, 0, 0], 'the late messages land');
SELECT is(ARRAY(SELECT minute FROM tsi.pending_minutes ORDER BY minute), ARRAY['2026-11-10 15:15+00', '2026-11-10 15:41+00']::timestamptz[],
          'the late messages mark their minutes pending (15:15 was processed already)');
SET LOCAL TimeZone = 'Asia/Kolkata';   -- a session in a +05:30 zone must not change what is computed
SELECT is(pg_temp.process_pending(), 2, 'process_pending takes the two pending minutes');
SELECT is_empty($$ SELECT FROM tsi.pending_minutes $$, 'no minute is pending afterwards');
SELECT results_eq($$ SELECT last_updated FROM tsi.mv_current_safety_status WHERE intersection_id = 1001 $$,
                  $$ SELECT max(timestamp) FROM tsi.safety_indices_realtime WHERE intersection_id = 1001 $$,
                  'process_pending refreshed mv_current_safety_status: it shows the newest 1-minute row');
SELECT is((SELECT traffic_volume FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-10 15:15+00'), 3,
          'the late minute''s features now count the late vehicle');
SELECT results_eq(
    $$ SELECT timestamp, window_volume FROM tsi.safety_indices_realtime
       WHERE intersection_id = 1001 AND timestamp BETWEEN '2026-11-10 15:14+00' AND '2026-11-10 15:30+00' ORDER BY timestamp $$,
    $$ VALUES ('2026-11-10 15:14+00'::timestamptz, 4), ('2026-11-10 15:15+00', 6), ('2026-11-10 15:29+00', 4),
              ('2026-11-10 15:30+00', 2) $$,
    'the windows containing the late minute changed (15:15, 15:29); those before or after it did not');
SELECT results_eq(
    $$ SELECT minute, traffic_volume, vru_count, vru_event_count FROM tsi.features_minute
       WHERE intersection_id = 1001 AND minute IN ('2026-11-10 15:40+00', '2026-11-10 15:41+00') ORDER BY minute $$,
    $$ VALUES ('2026-11-10 15:40+00'::timestamptz, 0, 1, 0), ('2026-11-10 15:41+00', 1, 0, 1) $$,
    'a late vehicle 3 s after a pedestrian of the minute before: the VRU event counts in the later message''s minute');
SELECT is((pg_temp.rt(1001, '2026-11-10 15:15+00')).id, (SELECT id FROM snap_realtime WHERE intersection_id = 1001 AND timestamp = '2026-11-10 15:15+00'),
          'the late minute''s realtime row is updated in place (same id)');
SELECT results_eq(
    $$ SELECT * FROM tsi.safety_indices_realtime WHERE intersection_id = 1001
         AND timestamp IN ('2026-11-10 15:14+00', '2026-11-10 15:30+00', '2026-11-10 16:00+00') ORDER BY timestamp $$,
    $$ SELECT * FROM snap_realtime WHERE intersection_id = 1001
         AND timestamp IN ('2026-11-10 15:14+00', '2026-11-10 15:30+00', '2026-11-10 16:00+00') ORDER BY timestamp $$,
    'rows whose window does not contain the late minute are untouched');
SELECT results_eq($$ SELECT intersection_id, hour_timestamp FROM tsi.dirty_hours $$,
                  $$ VALUES (1001, '2026-11-10 15:00+00'::timestamptz) $$,
                  'the changed rows behind the hourly watermark mark their UTC hour dirty, whatever the session time zone');
SET LOCAL TimeZone = 'UTC';

-- Normalisation constants: a row per UTC day with data, replaced once enough is final ---------------------
SELECT is_empty($$ SELECT FROM tsi.normalization_constants
                   WHERE valid_from <> date_trunc('day', valid_from, 'UTC') OR valid_until <> valid_from + interval '1 day' $$,
                'every row of constants covers one whole UTC day');
SELECT results_eq($$ SELECT valid_from FROM tsi.normalization_constants ORDER BY 1 $$,
                  $$ VALUES ('2026-03-08+00'::timestamptz), ('2026-11-01+00'), ('2026-11-10+00'), ('2026-11-12+00') $$,
                  'processing made constants for the days with data, and only those');
SELECT pg_temp.vehicle(1001, 70, '2026-11-16 12:00:30+00', 0, 0);
CALL tsi.process_range('2026-11-16 12:00+00', '2026-11-16 12:01+00');
SELECT results_eq(
    $$ SELECT history_from, history_until, is_bootstrap FROM tsi.normalization_constants WHERE valid_from = '2026-11-16+00' $$,
    $$ VALUES ('2026-10-17+00'::timestamptz, '2026-11-16 12:15+00'::timestamptz, true) $$,
    'a day whose trailing 30 days hold fewer than 60 minutes with data adds its own minutes up to the range scored: still a bootstrap');
SELECT is((pg_temp.rt(1001, '2026-11-16 12:00+00')).constants_id,
          (SELECT id FROM tsi.normalization_constants WHERE valid_from = '2026-11-16+00'),
          'a minute of 2026-11-16 is scored with the constants of its day');
UPDATE tsi.formula_config SET normalization_min_minutes = 10 WHERE formula_version = 1;
CALL tsi.refresh_constants('2026-11-17 00:00+00');
SELECT results_eq(
    $$ SELECT valid_from, history_until, is_bootstrap FROM tsi.normalization_constants ORDER BY valid_from $$,
    $$ VALUES ('2026-03-08+00'::timestamptz, '2026-03-09+00'::timestamptz, true), ('2026-11-01+00', '2026-11-02+00', true),
              ('2026-11-10+00', '2026-11-11+00', false), ('2026-11-12+00', '2026-11-12+00', false),
              ('2026-11-16+00', '2026-11-16+00', false) $$,
    'refresh_constants once 10 minutes are enough: 2026-11-10 from its own day, the later days from their trailing 30 days; 2 and 4 minutes stay bootstraps');
SELECT is((SELECT count(*)::integer FROM tsi.data_quality_log WHERE issue_type = 'constants_bootstrap_replaced'), 3,
          'each replaced bootstrap is logged');
SELECT is_empty(
    $$ SELECT r.timestamp FROM tsi.safety_indices_realtime r JOIN tsi.normalization_constants k ON k.id = r.constants_id
       CROSS JOIN LATERAL tsi.window_features(r.timestamp, r.timestamp + interval '1 minute', 15) w
       WHERE w.intersection_id = r.intersection_id AND r.timestamp >= '2026-11-10' AND r.timestamp < '2026-11-17'
         AND r.vru_index IS DISTINCT FROM tsi.vru_index(w.features, tsi.norm_constants_from_jsonb(k.constants), tsi.formula_at(r.timestamp)) $$,
    'the minutes the replaced bootstraps scored were rescored with the new constants');
UPDATE tsi.formula_config SET normalization_min_minutes = 60 WHERE formula_version = 1;

-- A new formula version in the middle of a range; a minute that loses its data ---------------------
INSERT INTO tsi.formula_config (formula_version, effective_from, description, window_minutes)
VALUES (2, '2026-11-16 12:05+00', 'test: 5-minute window', 5);
SELECT pg_temp.vehicle(1001, 71, '2026-11-16 12:06:30+00', 0, 0);
CALL tsi.process_range('2026-11-16 12:00+00', '2026-11-16 12:10+00');
SELECT results_eq(
    $$ SELECT timestamp, formula_version, window_volume FROM tsi.safety_indices_realtime
       WHERE timestamp >= '2026-11-16' ORDER BY timestamp $$,
    $$ VALUES ('2026-11-16 12:00+00'::timestamptz, 1, 1), ('2026-11-16 12:06+00', 2, 1) $$,
    'each minute is scored with the formula version in force: 12:06 under version 2 has a 5-minute window (12:00 not in it)');
DELETE FROM tsi.bsm_messages WHERE vehicle_id = 71;
CALL tsi.process_range('2026-11-16 12:06+00', '2026-11-16 12:07+00');
SELECT is_empty(
    $$ SELECT FROM tsi.safety_indices_realtime WHERE timestamp = '2026-11-16 12:06+00'
       UNION ALL SELECT FROM tsi.features_minute WHERE minute = '2026-11-16 12:06+00' $$,
    'a minute whose messages are gone loses its feature and realtime rows on reprocessing');

-- The default partitions stay empty --------------------------------------------------------------------
SELECT is_empty($$ SELECT FROM tsi.features_minute_default $$, 'tsi.features_minute_default is empty');
SELECT is_empty($$ SELECT FROM tsi.safety_indices_realtime_default $$, 'tsi.safety_indices_realtime_default is empty');
SELECT is_empty($$ SELECT FROM tsi.bsm_messages_default UNION ALL SELECT FROM tsi.psm_messages_default $$,
                'the raw default partitions are empty');

-- A late message that is the earlier one of a pair: the next minute, processed before, owns the
-- pair and is recomputed with it.
SELECT pg_temp.vru(1001, 800, '2026-11-16 12:31:02+00', 0, 0);
CALL tsi.process_range('2026-11-16 12:31+00', '2026-11-16 12:32+00');
SELECT pg_temp.vehicle(1001, 80, '2026-11-16 12:30:59+00', 3, 0);
INSERT INTO tsi.pending_minutes (minute) VALUES ('2026-11-16 12:30+00');
SELECT is(pg_temp.process_pending(), 1, 'the late minute is taken');
SELECT is((SELECT vru_event_count FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-16 12:31+00'), 1,
          'the processed minute after it now counts the pair its late predecessor completed');

-- The cell search finds exactly the pairs a search of every pair of messages finds: 300 vehicle
-- and 60 pedestrian messages at random places within 25 m and random milliseconds of two minutes
-- and the 5 s before them, so pairs straddle cell edges in space and time.
SELECT tsi.create_daily_partitions(p, '2026-11-17', '2026-11-18')
FROM unnest(ARRAY['tsi.bsm_messages', 'tsi.psm_messages', 'tsi.features_minute']::regclass[]) AS p;
SELECT setseed(0.42);
SELECT pg_temp.vehicle(1001, 900 + k % 30, t, north, east, speed)
FROM (SELECT k, timestamptz '2026-11-17 08:59:55+00' + (random() * 125000)::integer * interval '1 ms' AS t,
             random() * 50 - 25 AS north, random() * 50 - 25 AS east, random() * 20 AS speed
      FROM generate_series(1, 300) AS k) AS r;
SELECT pg_temp.vru(1001, 950 + k % 10, t, north, east)
FROM (SELECT k, timestamptz '2026-11-17 08:59:55+00' + (random() * 125000)::integer * interval '1 ms' AS t,
             random() * 50 - 25 AS north, random() * 50 - 25 AS east
      FROM generate_series(1, 60) AS k) AS r;
SELECT tsi.compute_features('2026-11-17 09:00+00', '2026-11-17 09:02+00');
CREATE TEMP TABLE every_pair AS
WITH m AS (
    SELECT true AS vehicle, b.vehicle_id AS id, b.ts, b.speed,
           (b.longitude - i.longitude) * 111320 * cos(radians(i.latitude)) AS x, (b.latitude - i.latitude) * 110574 AS y
    FROM tsi.bsm_messages AS b JOIN tsi.intersections AS i ON i.id = b.intersection_id
    WHERE b.intersection_id = 1001 AND b.ts >= '2026-11-17 08:59:55+00' AND b.ts < '2026-11-17 09:02+00'
    UNION ALL
    SELECT false, p.psm_id, p.ts, p.speed,
           (p.longitude - i.longitude) * 111320 * cos(radians(i.latitude)), (p.latitude - i.latitude) * 110574
    FROM tsi.psm_messages AS p JOIN tsi.intersections AS i ON i.id = p.intersection_id
    WHERE p.intersection_id = 1001 AND p.ts >= '2026-11-17 08:59:55+00' AND p.ts < '2026-11-17 09:02+00'
)
SELECT DISTINCT date_trunc('minute', greatest(a.ts, b.ts)) AS minute, a.vehicle AND b.vehicle AS vehicle_pair, a.id AS a_id, b.id AS b_id
FROM m AS a JOIN m AS b ON (a.vehicle, a.id) < (b.vehicle, b.id)
WHERE (a.vehicle OR b.vehicle) AND abs(extract(epoch FROM b.ts - a.ts)) <= 5 AND (b.x - a.x) ^ 2 + (b.y - a.y) ^ 2 < 100
  AND (NOT (a.vehicle AND b.vehicle) OR abs(a.speed - b.speed) > 5) AND greatest(a.ts, b.ts) >= '2026-11-17 09:00+00';
SELECT cmp_ok((SELECT count(*) FROM every_pair), '>', 50::bigint, 'the random messages form many pairs');
SELECT results_eq(
    $$ SELECT minute, vru_event_count::bigint, vehicle_event_count::bigint FROM tsi.features_minute
       WHERE intersection_id = 1001 AND minute >= '2026-11-17 09:00+00' AND minute < '2026-11-17 09:02+00' ORDER BY minute $$,
    $$ SELECT minute, count(*) FILTER (WHERE NOT vehicle_pair), count(*) FILTER (WHERE vehicle_pair) FROM every_pair
       GROUP BY minute ORDER BY minute $$,
    'VRU and vehicle events of random messages equal those of a search of every pair of messages');

-- A conflict time with a fraction of a millisecond: a pedestrian and a vehicle 3 m and exactly
-- 5 000 ms apart (the limit rounded to whole ms) are a pair. With cells of 4.9996 s they fell two
-- cells apart (at 2.99996 and 4.00004 cells) and the pair was missed.
INSERT INTO tsi.formula_config (formula_version, effective_from, description, window_minutes, conflict_time_s)
VALUES (3, '2026-11-18 00:00+00', 'test: conflict time 4.9996 s', 5, 4.9996);
SELECT pg_temp.vru(1001, 960, '2026-11-18 10:00:09.999+00', 0, 0);
SELECT pg_temp.vehicle(1001, 96, '2026-11-18 10:00:14.999+00', 3, 0);
SELECT tsi.compute_features('2026-11-18 10:00+00', '2026-11-18 10:01+00');
SELECT is((SELECT vru_event_count FROM tsi.features_minute WHERE intersection_id = 1001 AND minute = '2026-11-18 10:00+00'), 1,
          'a pair exactly at a conflict time with a fraction of a ms is found');
SELECT is_empty($$ SELECT FROM tsi.features_minute_default UNION ALL SELECT FROM tsi.bsm_messages_default
                   UNION ALL SELECT FROM tsi.psm_messages_default $$,
                'the default partitions are still empty after the pair searches');

SELECT * FROM finish();
ROLLBACK;
