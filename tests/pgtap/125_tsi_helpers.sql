-- The engine's helpers, called directly (120 and 130 reach them only through process_range and
-- the query functions): tsi.intersections_before_write, tsi.refuse_write, tsi.route_line,
-- tsi.intersections_within, tsi.assign_unassigned, tsi.constants_from_history,
-- tsi.final_until, tsi.minutes_with_data, tsi.constants_for, tsi.ensure_constants, tsi.recompute_constants,
-- tsi.store_baselines, tsi.compute_indices, tsi.score_range, tsi.refresh_constants,
-- tsi.compute_features, tsi.positive_or_one and tsi.norm_ratio.
-- Feature rows are written by hand, so the constants and indices have known inputs.
BEGIN;
SELECT plan(88);

\ir lib/positions.psql
-- A landed BSM of vehicle v without an intersection, `north`/`east` metres from intersection i.
CREATE FUNCTION pg_temp.bsm(i integer, v bigint, t timestamptz, north float8, east float8) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, latitude, longitude, speed)
    VALUES (date_trunc('second', t), v, 1, (extract(epoch FROM t) * 1000)::bigint % 60000, t, t,
            pg_temp.lat_of(i, north), pg_temp.lon_of(i, east), 10)
$$;
CREATE FUNCTION pg_temp.psm(i integer, p bigint, t timestamptz, north float8, east float8) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.psm_messages (ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, basic_type, latitude, longitude, speed)
    VALUES (date_trunc('second', t), p, 1, (extract(epoch FROM t) * 1000)::bigint % 60000, t, t, 1,
            pg_temp.lat_of(i, north), pg_temp.lon_of(i, east), 1.2)
$$;
-- A 1-minute feature row: volume, speeds (n, sum, sum of squares), hard braking, VRU and vehicle events.
CREATE FUNCTION pg_temp.feature(i integer, m timestamptz, volume integer, speed_n integer, speed_sum float8, speed_sum_sq float8,
                                hb integer, vru_events integer, vehicle_events integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count, speed_n, speed_sum,
                                     speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count)
    VALUES (i, m, volume, vru_events, volume, vru_events, speed_n, speed_sum, speed_sum_sq, hb, vru_events, vehicle_events)
$$;
CREATE FUNCTION pg_temp.refresh(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$ BEGIN CALL tsi.refresh_constants(at); END $$;

-- Nothing but this file's data in the tables the helpers read and write.
DELETE FROM tsi.safety_indices_realtime;
DELETE FROM tsi.features_minute;
DELETE FROM tsi.normalization_constants;
DELETE FROM tsi.eb_baselines;
DELETE FROM tsi.pending_minutes;
DELETE FROM tsi.dirty_hours;
DELETE FROM tsi.data_quality_log WHERE issue_type = 'constants_bootstrap';
SELECT tsi.create_daily_partitions(p, d, d)
FROM unnest(ARRAY['tsi.bsm_messages', 'tsi.psm_messages', 'tsi.features_minute', 'tsi.safety_indices_realtime']::regclass[]) AS p,
     unnest(ARRAY['2026-09-06', '2026-10-05']::date[]) AS d;

-- tsi.intersections_before_write --------------------------------------------------------------------
SELECT trigger_is('tsi', 'intersections', 'trg_intersections_before_write', 'tsi', 'intersections_before_write',
                  'trg_intersections_before_write runs tsi.intersections_before_write');
SELECT throws_ok($$INSERT INTO tsi.intersections (id, name, latitude, longitude, time_zone) VALUES (1259, 'Mars', 38.9, -77.0, 'Mars/Olympus_Mons')$$,
                 '22023', 'time_zone: unknown time zone "Mars/Olympus_Mons"', 'tsi.intersections_before_write refuses an unknown time zone on insert');
INSERT INTO tsi.intersections (id, name, latitude, longitude, updated_at) VALUES
    (1251, 'Helper A', 38.90, -77.00, '2000-01-01'),
    (1252, 'Helper B', 38.90, -76.99, '2000-01-01'),
    (1253, 'Helper far', 39.50, -77.00, '2000-01-01');
SELECT is((SELECT updated_at FROM tsi.intersections WHERE id = 1251), now(), 'tsi.intersections_before_write sets updated_at on insert');
SELECT throws_ok($$UPDATE tsi.intersections SET time_zone = 'America/New_Yrok' WHERE id = 1251$$, '22023',
                 'time_zone: unknown time zone "America/New_Yrok"', 'tsi.intersections_before_write refuses an unknown time zone on update');
SELECT lives_ok($$UPDATE tsi.intersections SET time_zone = 'Europe/Berlin', updated_at = '2000-01-01' WHERE id = 1253$$,
                'tsi.intersections_before_write accepts an IANA name');
SELECT is((SELECT updated_at FROM tsi.intersections WHERE id = 1253), now(), 'tsi.intersections_before_write sets updated_at on update, whatever was written');
SELECT ok('Europe/Berlin' = ANY (string_to_array(current_setting('tsi.known_time_zones'), ' ')),
          'tsi.intersections_before_write remembers a zone it found for the session (the zone files are read once, not per row)');
SELECT throws_ok($$INSERT INTO tsi.intersections (id, name, latitude, longitude, time_zone) VALUES (1259, 'Mars', 38.9, -77.0, 'Mars/Olympus_Mons')$$,
                 '22023', 'time_zone: unknown time zone "Mars/Olympus_Mons"', 'with zones remembered, an unknown one is still refused');
SELECT ok(NOT 'Mars/Olympus_Mons' = ANY (string_to_array(current_setting('tsi.known_time_zones'), ' ')),
          'a refused zone is not remembered');
SELECT is_empty($$SELECT * FROM tsi.nearest_intersections('{}', '{}', '{}')$$, 'tsi.nearest_intersections of no positions finds none (and makes no grid cells)');
-- The great-circle shortcut decides only what the exact WGS84 distance would: positions between
-- two intersections 866 m apart, and positions at 0.985–1.015 of the radius from one, where the
-- shortcut must not decide, against the definition computed by brute force.
SELECT setseed(0.19);
CREATE TEMP TABLE near_points AS
SELECT row_number() OVER (ORDER BY src, j) AS k, lat, lon, r
FROM (SELECT 1 AS src, j, 38.90 + (random() - 0.5) * 0.012 AS lat, -76.995 + (random() - 0.5) * 0.02 AS lon,
             (ARRAY[100, 433, 500, 5000])[1 + j % 4]::float8 AS r
      FROM generate_series(1, 2000) AS j
      UNION ALL
      SELECT 2, j, ST_Y(x.p::geometry), ST_X(x.p::geometry), r.r
      FROM generate_series(0, 300) AS j
      CROSS JOIN (VALUES (100::float8), (433)) AS r (r)
      CROSS JOIN LATERAL (SELECT ST_Project(ST_MakePoint(-77.00, 38.90)::geography, r.r * (0.985 + j * 0.0001),
                                            radians(j * 7 % 360)) AS p) AS x) AS v;
SELECT results_eq(
    $$ SELECT n.ord, n.intersection_id
       FROM (SELECT array_agg(lat ORDER BY k) AS la, array_agg(lon ORDER BY k) AS lo, array_agg(r ORDER BY k) AS ra FROM near_points) AS a
       CROSS JOIN LATERAL tsi.nearest_intersections(a.la, a.lo, a.ra) AS n ORDER BY 1 $$,
    $$ SELECT DISTINCT ON (p.k) p.k, i.id
       FROM near_points AS p
       CROSS JOIN LATERAL (SELECT ST_Distance(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography, i.geometry::geography) AS d, i.id
                           FROM tsi.intersections AS i) AS i
       WHERE i.d <= p.r ORDER BY p.k, i.d, i.id $$,
    'tsi.nearest_intersections: the nearest within the radius by WGS84 distance, ties to the lower id, near the radius too');

-- tsi.refuse_write ------------------------------------------------------------------------------------
REFRESH MATERIALIZED VIEW tsi.mv_current_safety_status;  -- api.latest_indices shows the snapshot
SELECT trigger_is('api', 'latest_indices', 'latest_indices_read_only', 'tsi', 'refuse_write',
                  'latest_indices_read_only runs tsi.refuse_write');
SELECT throws_ok($$INSERT INTO api.latest_indices (intersection_id) VALUES (1)$$, '42501', 'latest_indices is read-only',
                 'tsi.refuse_write: an insert into api.latest_indices is refused for want of privilege, even for its owner');
SELECT throws_ok($$UPDATE api.latest_indices SET intersection_name = 'x' WHERE intersection_id = 1251$$, '42501', 'latest_indices is read-only',
                 'tsi.refuse_write: an update is refused');
SELECT throws_ok($$DELETE FROM api.latest_indices WHERE intersection_id = 1251$$, '42501', 'latest_indices is read-only',
                 'tsi.refuse_write: a delete is refused');
SELECT is((SELECT name::text FROM tsi.intersections WHERE id = 1251), 'Helper A', 'tsi.refuse_write: nothing changed underneath');

-- tsi.route_line ----------------------------------------------------------------------------------------
SELECT is(ST_AsEWKT(tsi.route_line('[[40, -75], [40.001, -75.001]]')), 'SRID=4326;LINESTRING(-75 40,-75.001 40.001)',
          'tsi.route_line: waypoints are [lat, lon] pairs, the line is (lon lat) in SRID 4326');
SELECT is(ST_AsEWKT(tsi.route_line(route_geojson => '{"type": "LineString", "coordinates": [[-75, 40], [-75.001, 40.001]]}')),
          'SRID=4326;LINESTRING(-75 40,-75.001 40.001)', 'tsi.route_line: a GeoJSON LineString ([lon, lat]) gives the same line');
SELECT is(ST_NPoints(tsi.route_line('null', '{"type": "LineString", "coordinates": [[-75, 40], [-75.001, 40.001], [-75.002, 40]]}')), 3,
          'tsi.route_line: JSON null counts as not given');
SELECT throws_ok($$SELECT tsi.route_line()$$, '22023', 'exactly one of waypoints and route_geojson must be given (got neither)',
                 'tsi.route_line: neither argument');
SELECT throws_ok($$SELECT tsi.route_line('null', 'null')$$, '22023', 'exactly one of waypoints and route_geojson must be given (got neither)',
                 'tsi.route_line: two JSON nulls are neither');
SELECT throws_ok($$SELECT tsi.route_line('[[40, -75], [40.001, -75.001]]', '{"type": "LineString", "coordinates": [[-75, 40], [-75.001, 40.001]]}')$$,
                 '22023', 'exactly one of waypoints and route_geojson must be given (got both)', 'tsi.route_line: both arguments');
SELECT throws_ok($$SELECT tsi.route_line('{"lat": 40, "lon": -75}')$$, '22023', 'waypoints must be a JSON array of [lat, lon] pairs (got object)',
                 'tsi.route_line: waypoints not an array');
SELECT throws_ok($$SELECT tsi.route_line('[[40, -75]]')$$, '22023', 'waypoints must have at least 2 points (got 1)',
                 'tsi.route_line: one waypoint');
SELECT throws_ok($$SELECT tsi.route_line('[[40, -75], [40]]')$$, '22023', 'waypoints[1] must be a [lat, lon] pair of numbers (got [40])',
                 'tsi.route_line: a waypoint of one number, counted from 0');
SELECT throws_ok($$SELECT tsi.route_line('[[40, -75], ["40", "-75"]]')$$, '22023',
                 'waypoints[1] must be a [lat, lon] pair of numbers (got ["40", "-75"])', 'tsi.route_line: a waypoint of strings');
SELECT throws_ok($$SELECT tsi.route_line('[[91, -75], [40, -75]]')$$, '22023', 'waypoints[0] latitude must be between -90 and 90 (got 91)',
                 'tsi.route_line: a latitude out of range');
SELECT throws_ok($$SELECT tsi.route_line('[[40, -75], [40, -181]]')$$, '22023', 'waypoints[1] longitude must be between -180 and 180 (got -181)',
                 'tsi.route_line: a longitude out of range (the pair is latitude first)');
SELECT throws_ok($$SELECT tsi.route_line(route_geojson => '{"type": "Point", "coordinates": [-75, 40]}')$$, '22023',
                 'route_geojson must be a GeoJSON LineString (got Point)', 'tsi.route_line: route_geojson must be a LineString');

-- tsi.intersections_within ---------------------------------------------------------------------------------
SELECT results_eq(
    $$SELECT id, name, round(distance_meters), safety_index, last_updated
      FROM tsi.intersections_within('SRID=4326;POINT(-77 38.9)'::geography, 1000)$$,
    $$VALUES (1251, 'Helper A', 0::float8, NULL::float8, NULL::timestamptz),
             (1252, 'Helper B', round(ST_Distance('SRID=4326;POINT(-77 38.9)'::geography, 'SRID=4326;POINT(-76.99 38.9)'::geography)), NULL, NULL)$$,
    'tsi.intersections_within: the intersections within 1000 m, nearest first, with spheroid distance and no index without data');
SELECT results_eq($$SELECT id FROM tsi.intersections_within('SRID=4326;POINT(-77 38.9)'::geography, 800)$$, $$VALUES (1251)$$,
                  'tsi.intersections_within: B at 867 m is outside 800 m');
SELECT results_eq($$SELECT id, distance_meters FROM tsi.intersections_within('SRID=4326;LINESTRING(-77 38.9, -76.99 38.9)'::geography, 50)$$,
                  $$VALUES (1251, 0::float8), (1252, 0::float8)$$,
                  'tsi.intersections_within a route: both at its ends at distance 0, ties in id order');
SELECT is_empty($$SELECT FROM tsi.intersections_within('SRID=4326;POINT(0 0)'::geography, 50000)$$,
                'tsi.intersections_within: nothing far from every intersection');

-- tsi.assign_unassigned -------------------------------------------------------------------------------------
SELECT pg_temp.bsm(1251, 1, '2026-10-05 12:00:10+00', 30, 0);    -- 30 m from A
SELECT pg_temp.bsm(1252, 2, '2026-10-05 12:00:20+00', 0, 20);    -- 20 m from B
SELECT pg_temp.bsm(1251, 3, '2026-10-05 12:00:30+00', 150, 0);   -- 150 m from A: beyond the 100 m radius
SELECT pg_temp.psm(1251, 1, '2026-10-05 12:00:40+00', 10, 0);    -- a pedestrian 10 m from A
SELECT pg_temp.bsm(1251, 4, '2026-10-05 12:40:00+00', 10, 0);    -- after the range
SELECT is(tsi.assign_unassigned('2026-10-05 12:00+00', '2026-10-05 12:30+00'), 3,
          'tsi.assign_unassigned assigns the BSMs and PSMs of the range within the radius and returns how many');
SELECT results_eq($$SELECT vehicle_id, intersection_id FROM tsi.bsm_messages WHERE ts_second >= '2026-10-05' AND ts_second < '2026-10-06' ORDER BY vehicle_id$$,
                  $$VALUES (1::bigint, 1251), (2::bigint, 1252), (3::bigint, NULL), (4::bigint, NULL)$$,
                  'tsi.assign_unassigned: each message to the nearest intersection; too far or outside the range, none');
SELECT is((SELECT intersection_id FROM tsi.psm_messages WHERE psm_id = 1 AND ts_second >= '2026-10-05' AND ts_second < '2026-10-06'), 1251,
          'tsi.assign_unassigned assigns PSMs too');
SELECT is(ARRAY(SELECT minute FROM tsi.pending_minutes), ARRAY['2026-10-05 12:00+00'::timestamptz],
          'tsi.assign_unassigned queues the assigned messages'' minute for processing');
SELECT is(tsi.assign_unassigned('2026-10-05 12:00+00', '2026-10-05 12:30+00'), 0, 'tsi.assign_unassigned again: nothing left to assign');
SELECT pg_temp.bsm(1251, 6, '2026-10-05 12:01:00+00', 5, 0);
SELECT is(tsi.assign_unassigned('2026-10-05 12:00+00', '2026-10-05 12:30+00', ARRAY[1253]), 0,
          'tsi.assign_unassigned near the far intersection only leaves a message at A alone');
SELECT is(tsi.assign_unassigned('2026-10-05 12:00+00', '2026-10-05 12:30+00', ARRAY[1251], false), 1,
          'tsi.assign_unassigned near A assigns it');
SELECT ok(NOT EXISTS (SELECT FROM tsi.pending_minutes WHERE minute = '2026-10-05 12:01+00'),
          'tsi.assign_unassigned with mark_pending false queues nothing');
UPDATE tsi.formula_config SET assignment_radius_m = 200;
SELECT is(tsi.assign_unassigned('2026-10-05 12:00+00', '2026-10-05 12:30+00'), 1,
          'tsi.assign_unassigned reads the radius of the formula version in force: 200 m reaches the message 150 m away');
UPDATE tsi.formula_config SET assignment_radius_m = 100;

-- tsi.constants_from_history --------------------------------------------------------------------------------
-- 12:00 volume 2, speeds 8 and 12, 1 hard braking, 2 VRU events; 12:01 volume 5, speeds 20 and 20, 3 hard brakings,
-- 1 vehicle event; 12:02 a minute of zeros (a pedestrian only).
SELECT pg_temp.feature(1251, '2026-10-05 12:00+00', 2, 2, 20, 208, 1, 2, 0);
SELECT pg_temp.feature(1251, '2026-10-05 12:01+00', 5, 2, 40, 800, 3, 0, 1);
SELECT pg_temp.feature(1251, '2026-10-05 12:02+00', 0, 0, 0, 0, 0, 0, 0);
SELECT results_eq(
    $$SELECT (constants ->> 'v_max')::float8, (constants ->> 'i_vru_max')::float8, (constants ->> 'i_veh_max')::float8,
             (constants ->> 'hb_max')::float8, round((constants ->> 'sigma_max')::numeric, 9), (constants ->> 's_ref')::float8,
             sample_windows, first_minute
      FROM tsi.constants_from_history('2026-10-05+00', '2026-10-06+00', 1, 0.85)$$,
    $$VALUES (5::float8, 2::float8, 1::float8, 3::float8, round(sqrt(8)::numeric, 9), 18.5::float8, 3::bigint, '2026-10-05 12:00+00'::timestamptz)$$,
    'tsi.constants_from_history, 1-minute windows: maxima of V, I_VRU, I_veh, HB and σ; s_ref the 85th percentile of 10 and 20 m/s');
SELECT results_eq(
    $$SELECT (constants ->> 'v_max')::float8, (constants ->> 'hb_max')::float8, (constants ->> 'sigma_max')::float8,
             (constants ->> 's_ref')::float8, sample_windows
      FROM tsi.constants_from_history('2026-10-05+00', '2026-10-06+00', 2, 0.5)$$,
    $$VALUES (7::float8, 4::float8, 6::float8, 15::float8, 3::bigint)$$,
    'tsi.constants_from_history, 2-minute windows: sums over the window (V 7, HB 4), σ of the pooled speeds (6), median window speed 15');
SELECT results_eq(
    $$SELECT constants, sample_windows, first_minute FROM tsi.constants_from_history('2026-10-05 12:02+00', '2026-10-05 12:03+00', 1, 0.85)$$,
    $$VALUES ('{"i_vru_max": 1, "i_veh_max": 1, "v_max": 1, "sigma_max": 1, "s_ref": 1, "hb_max": 1}'::jsonb, 1::bigint,
              '2026-10-05 12:02+00'::timestamptz)$$,
    'tsi.constants_from_history: a window of zeros gives every constant 1 (a 0 would divide by zero)');
SELECT results_eq(
    $$SELECT constants, sample_windows, first_minute FROM tsi.constants_from_history('2026-08-01+00', '2026-08-02+00', 15, 0.85)$$,
    $$VALUES ('{"i_vru_max": 1, "i_veh_max": 1, "v_max": 1, "sigma_max": 1, "s_ref": 1, "hb_max": 1}'::jsonb, 0::bigint, NULL::timestamptz)$$,
    'tsi.constants_from_history of a period without data: every constant 1, no windows, no first minute');

-- tsi.final_until, tsi.minutes_with_data --------------------------------------------------------------------------
DELETE FROM tsi.pending_minutes;
SELECT is(tsi.final_until('2026-10-06 10:00:30+00'), '2026-10-06 10:00+00'::timestamptz,
          'tsi.final_until: nothing pending, every minute before `at` (to the minute) is final');
INSERT INTO tsi.pending_minutes (minute) VALUES ('2026-10-05 12:01+00');
SELECT is(tsi.final_until('2026-10-06 10:00+00'), '2026-10-05 12:01+00'::timestamptz,
          'tsi.final_until: a minute waiting to be processed ends the final minutes');
DELETE FROM tsi.pending_minutes;
SELECT is(ARRAY[tsi.minutes_with_data('2026-10-05+00', '2026-10-06+00', 60), tsi.minutes_with_data('2026-10-05+00', '2026-10-06+00', 2),
                tsi.minutes_with_data('2026-10-05 12:01+00', '2026-10-05 12:02+00', 60)],
          ARRAY[3, 2, 1], 'tsi.minutes_with_data counts minutes with features up to `enough`');

-- tsi.constants_for ---------------------------------------------------------------------------------------------------
UPDATE tsi.formula_config SET normalization_min_minutes = 2 WHERE formula_version = 1;   -- the hand-made data has 3 minutes
SELECT results_eq(
    $$SELECT constants, sample_windows, history_from, history_until, is_bootstrap FROM tsi.constants_for('2026-10-06+00', '2026-10-07+00', 'infinity')$$,
    $$SELECT constants, sample_windows, '2026-09-06+00'::timestamptz, '2026-10-06+00'::timestamptz, false
      FROM tsi.constants_from_history('2026-09-06+00', '2026-10-06+00', 15, 0.85)$$,
    'tsi.constants_for a day: the trailing 30 days, with the formula''s 15-minute window and 85th percentile; enough minutes make it proper');
SELECT results_eq(
    $$SELECT history_from, history_until, is_bootstrap FROM tsi.constants_for('2026-10-05+00', '2026-10-06+00', 'infinity')$$,
    $$VALUES ('2026-09-05+00'::timestamptz, '2026-10-06+00'::timestamptz, false)$$,
    'tsi.constants_for the first day of data: nothing before it, so its own minutes as well (history_until = valid_until)');
SELECT results_eq(
    $$SELECT history_until, is_bootstrap, sample_windows FROM tsi.constants_for('2026-10-05+00', '2026-10-06+00', '2026-10-05 12:01+00')$$,
    $$VALUES ('2026-10-05 12:01+00'::timestamptz, true, 1::bigint)$$,
    'tsi.constants_for reads final minutes only: one final minute is too little, a bootstrap');

-- tsi.ensure_constants --------------------------------------------------------------------------------------------------
DELETE FROM tsi.normalization_constants;
DELETE FROM tsi.data_quality_log WHERE issue_type LIKE 'constants_bootstrap%';
SELECT is(tsi.ensure_constants('2026-10-05 12:00+00', '2026-10-05 12:02+00'), 1, 'tsi.ensure_constants makes one row for the day of the range');
SELECT results_eq($$SELECT valid_from, valid_until, history_until, is_bootstrap FROM tsi.normalization_constants$$,
                  $$VALUES ('2026-10-05+00'::timestamptz, '2026-10-06+00'::timestamptz, '2026-10-05 12:02+00'::timestamptz, false)$$,
                  'tsi.ensure_constants: the whole UTC day, from history up to the range end (its features are computed)');
SELECT is(tsi.ensure_constants('2026-10-05 13:00+00', '2026-10-05 14:00+00'), 0, 'tsi.ensure_constants again in the same day: nothing to do');
SELECT is(tsi.ensure_constants('2026-10-06+00', '2026-10-08+00'), 0, 'tsi.ensure_constants makes nothing for days without features');
UPDATE tsi.formula_config SET normalization_min_minutes = 60 WHERE formula_version = 1;
DELETE FROM tsi.normalization_constants;
SELECT tsi.ensure_constants('2026-10-05 12:00+00', '2026-10-05 12:03+00');
SELECT results_eq(
    $$SELECT l.severity::text, l.data_time, k.is_bootstrap FROM tsi.data_quality_log l
      JOIN tsi.normalization_constants k ON k.id = (l.metadata ->> 'constants_id')::integer WHERE l.issue_type = 'constants_bootstrap'$$,
    $$VALUES ('warning', '2026-10-05+00'::timestamptz, true)$$,
    'tsi.ensure_constants from fewer than normalization_min_minutes minutes: a bootstrap, logged as a warning for its day');

-- tsi.recompute_constants --------------------------------------------------------------------------------------------------
UPDATE tsi.formula_config SET normalization_min_minutes = 2 WHERE formula_version = 1;
SELECT is(tsi.recompute_constants((SELECT id FROM tsi.normalization_constants), '2026-10-07+00'), false,
          'tsi.recompute_constants: the same minutes give the same constants (false: nothing to rescore)');
SELECT results_eq(
    $$SELECT k.is_bootstrap, l.issue_type::text FROM tsi.normalization_constants k
      JOIN tsi.data_quality_log l ON (l.metadata ->> 'constants_id')::integer = k.id AND l.issue_type = 'constants_bootstrap_replaced'$$,
    $$VALUES (false, 'constants_bootstrap_replaced')$$,
    'tsi.recompute_constants: enough minutes now, the bootstrap is replaced in place and the replacement logged');

-- tsi.store_baselines ----------------------------------------------------------------------------------------------------
INSERT INTO tsi.safety_indices_hourly (intersection_id, hour_timestamp, avg_si, min_si, max_si, total_volume, avg_volume,
                                       avg_combined_raw, avg_vru_raw, avg_vehicle_raw, minutes_with_data, hour_of_day, day_of_week)
VALUES (1251, '2026-10-04 12:00+00', 30, 30, 30, 7, 3.5, 30, 20, 40, 2, 8, 6),
       (1251, '2026-10-05 12:00+00', 90, 90, 90, 7, 3.5, 90, 90, 90, 3, 8, 0);
UPDATE tsi.normalization_constants SET is_bootstrap = true;   -- 2026-10-05 was scored with a bootstrap
UPDATE tsi.rollup_watermarks SET watermark = '2026-10-05 13:00+00' WHERE rollup = 'hourly';
SELECT is(tsi.store_baselines('2026-10-06+00'), true, 'tsi.store_baselines makes a new set: changed');
SELECT results_eq($$SELECT intersection_id, hour_of_day, combined_baseline, history_until, excluded_hours FROM tsi.eb_baselines
                    WHERE valid_from = '2026-10-06+00' ORDER BY intersection_id NULLS LAST, hour_of_day NULLS LAST$$,
                  $$VALUES (1251, 8, 30::float8, '2026-10-05 13:00+00'::timestamptz, 1), (1251, NULL, 30, '2026-10-05 13:00+00', 1),
                           (NULL, NULL, 30, '2026-10-05 13:00+00', 1)$$,
                  'tsi.store_baselines: the bootstrap-scored hour left out and counted; rolled up until the hourly watermark');
UPDATE tsi.normalization_constants SET is_bootstrap = false;
UPDATE tsi.rollup_watermarks SET watermark = '2026-10-06+00' WHERE rollup = 'hourly';
SELECT is(tsi.store_baselines('2026-10-06+00'), true, 'tsi.store_baselines again with the hour rescored: changed');
SELECT results_eq($$SELECT intersection_id, hour_of_day, combined_baseline, history_until, excluded_hours FROM tsi.eb_baselines
                    WHERE valid_from = '2026-10-06+00' AND intersection_id IS NULL$$,
                  $$VALUES (NULL::integer, NULL::integer, 66::float8, '2026-10-06+00'::timestamptz, 0)$$,
                  'tsi.store_baselines: minute-weighted means of all hours now, complete (history_until = valid_from)');
SELECT is(tsi.store_baselines('2026-10-06+00'), false, 'tsi.store_baselines with nothing new: unchanged');
DELETE FROM tsi.safety_indices_hourly WHERE intersection_id = 1251;
DELETE FROM tsi.eb_baselines;
DELETE FROM tsi.normalization_constants;
UPDATE tsi.rollup_watermarks SET watermark = '-infinity' WHERE rollup = 'hourly';

-- tsi.compute_indices -------------------------------------------------------------------------------------------------
UPDATE tsi.rollup_watermarks SET watermark = '2026-10-06+00' WHERE rollup = 'hourly';
SELECT is(tsi.compute_indices('2026-10-05 12:00+00', '2026-10-05 12:03+00'), 3,
          'tsi.compute_indices scores the three minutes with features and returns the rows changed');
SELECT results_eq(
    $$SELECT timestamp, window_volume, traffic_volume, hard_braking_count, hour_of_day, day_of_week, formula_version
      FROM tsi.safety_indices_realtime WHERE intersection_id = 1251 ORDER BY timestamp$$,
    $$VALUES ('2026-10-05 12:00+00'::timestamptz, 2, 2, 1, 8, 0, 1), ('2026-10-05 12:01+00', 7, 5, 3, 8, 0, 1),
             ('2026-10-05 12:02+00', 7, 0, 0, 8, 0, 1)$$,
    'tsi.compute_indices: the window''s vehicles, the minute''s counts, local hour 8 of a Monday in New York, formula version 1');
SELECT results_eq(
    $$SELECT DISTINCT r.constants_id, k.valid_from FROM tsi.safety_indices_realtime r JOIN tsi.normalization_constants k ON k.id = r.constants_id$$,
    $$VALUES ((SELECT id FROM tsi.normalization_constants), '2026-10-05+00'::timestamptz)$$,
    'tsi.compute_indices makes sure constants exist (for the UTC day of its minutes) and records them on every row');
SELECT is((SELECT combined_index FROM tsi.safety_indices_realtime WHERE intersection_id = 1251 AND timestamp = '2026-10-05 12:02+00'),
          (SELECT tsi.combined_index(tsi.traffic_index(tsi.vru_index(w.features, tsi.norm_constants_from_jsonb(k.constants), c),
                                                       tsi.vehicle_index(w.features, tsi.norm_constants_from_jsonb(k.constants), c), c),
                                     NULL, c.weather_weight)
           FROM tsi.window_features('2026-10-05 12:02+00', '2026-10-05 12:03+00', 15) w, tsi.normalization_constants k,
                tsi.formula_at('2026-10-05 12:02+00') c),
          'tsi.compute_indices: the combined index is the index functions of the window features and constants');
SELECT is(ARRAY(SELECT hour_timestamp FROM tsi.dirty_hours WHERE intersection_id = 1251), ARRAY['2026-10-05 12:00+00'::timestamptz],
          'tsi.compute_indices marks the changed hour dirty when it is behind the hourly watermark');
SELECT is(tsi.compute_indices('2026-10-05 12:00+00', '2026-10-05 12:03+00'), 0, 'tsi.compute_indices again: no row changed, none rewritten');
UPDATE tsi.features_minute SET traffic_volume = 4 WHERE intersection_id = 1251 AND minute = '2026-10-05 12:00+00';
SELECT is(tsi.compute_indices('2026-10-05 12:01+00', '2026-10-05 12:02+00'), 1, 'tsi.compute_indices of one minute changes one row');
SELECT results_eq($$SELECT timestamp, window_volume FROM tsi.safety_indices_realtime WHERE intersection_id = 1251 AND timestamp < '2026-10-05 12:02+00' ORDER BY 1$$,
                  $$VALUES ('2026-10-05 12:00+00'::timestamptz, 2), ('2026-10-05 12:01+00', 9)$$,
                  'tsi.compute_indices writes only the minutes of its range: 12:01 sees the new volume, 12:00 is left as it was');
DELETE FROM tsi.features_minute WHERE intersection_id = 1251 AND minute = '2026-10-05 12:02+00';
SELECT is(tsi.compute_indices('2026-10-05 12:00+00', '2026-10-05 12:03+00'), 2,
          'tsi.compute_indices: 12:00 rescored and 12:02, whose features are gone, removed');
SELECT is(ARRAY(SELECT timestamp FROM tsi.safety_indices_realtime WHERE intersection_id = 1251 ORDER BY 1),
          ARRAY['2026-10-05 12:00+00', '2026-10-05 12:01+00']::timestamptz[], 'tsi.compute_indices deleted the realtime row without features');
REFRESH MATERIALIZED VIEW tsi.mv_current_safety_status;  -- the spatial searches read the snapshot
SELECT results_eq(
    $$SELECT id, safety_index, traffic_volume, last_updated FROM tsi.intersections_within('SRID=4326;POINT(-77 38.9)'::geography, 100)$$,
    $$SELECT 1251, coalesce(combined_index_eb, combined_index), traffic_volume, timestamp FROM tsi.safety_indices_realtime
      WHERE intersection_id = 1251 AND timestamp = '2026-10-05 12:01+00'$$,
    'tsi.intersections_within reports the latest minute''s index of an intersection with data');

-- tsi.refresh_constants -------------------------------------------------------------------------------------------------
SELECT throws_ok($$CALL tsi.refresh_constants(NULL)$$, '22023', 'at must not be NULL', 'tsi.refresh_constants refuses NULL');
UPDATE tsi.formula_config SET normalization_min_minutes = 60 WHERE formula_version = 1;
DELETE FROM tsi.safety_indices_realtime;
DELETE FROM tsi.normalization_constants;
SELECT tsi.score_range('2026-10-05 12:00+00', '2026-10-05 12:02+00');
SELECT is((SELECT is_bootstrap FROM tsi.normalization_constants), true, 'two minutes of data: scored with bootstrap constants');
INSERT INTO tsi.safety_indices_hourly (intersection_id, hour_timestamp, avg_si, min_si, max_si, total_volume, avg_volume,
                                       avg_combined_raw, avg_vru_raw, avg_vehicle_raw, minutes_with_data, hour_of_day, day_of_week)
VALUES (1251, '2026-10-04 12:00+00', 30, 30, 30, 7, 3.5, 30, 20, 40, 2, 8, 6);
SELECT pg_temp.refresh('2026-10-05 13:00+00');
SELECT is((SELECT is_bootstrap FROM tsi.normalization_constants), true,
          'tsi.refresh_constants: still fewer minutes than normalization_min_minutes, still a bootstrap');
UPDATE tsi.formula_config SET normalization_min_minutes = 2 WHERE formula_version = 1;
SELECT pg_temp.refresh('2026-10-05 13:30+00');
SELECT results_eq($$SELECT is_bootstrap, history_until FROM tsi.normalization_constants$$,
                  $$VALUES (false, '2026-10-05 13:30+00'::timestamptz)$$,
                  'tsi.refresh_constants replaces the bootstrap from the final minutes up to `at`');
SELECT results_eq($$SELECT r.constants_id, k.is_bootstrap FROM tsi.safety_indices_realtime r JOIN tsi.normalization_constants k ON k.id = r.constants_id
                    WHERE r.intersection_id = 1251 AND r.timestamp = '2026-10-05 12:00+00'$$,
                  $$SELECT id, false FROM tsi.normalization_constants$$,
                  'tsi.refresh_constants: the rows the bootstrap scored name constants that are no bootstrap (the same minutes, the same constants)');
SELECT results_eq($$SELECT combined_baseline FROM tsi.eb_baselines WHERE valid_from = '2026-10-05+00' AND intersection_id = 1251 AND hour_of_day = 8$$,
                  $$VALUES (30::float8)$$, 'tsi.refresh_constants made the day''s Empirical-Bayes baseline set from the day before');
SELECT is((SELECT round(combined_index_eb::numeric, 6) FROM tsi.safety_indices_realtime WHERE intersection_id = 1251 AND timestamp = '2026-10-05 12:00+00'),
          (SELECT round(tsi.eb_adjust(combined_index, 30, window_volume, 50)::numeric, 6) FROM tsi.safety_indices_realtime
           WHERE intersection_id = 1251 AND timestamp = '2026-10-05 12:00+00'),
          'tsi.refresh_constants rescored the day with its new baselines');
DELETE FROM tsi.safety_indices_hourly WHERE intersection_id = 1251;
UPDATE tsi.formula_config SET normalization_min_minutes = 60 WHERE formula_version = 1;

-- tsi.compute_features -----------------------------------------------------------------------------------------------------
-- 13:05 at A: vehicle 31 in 3 messages (10, 12, 14 m/s; one at -4 m/s²), pedestrian 31 5 m from it 3 s later;
-- a hand-made feature row at 13:07 without messages; vehicle 32 at 13:10:00, the end of the range.
INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, intersection_id, latitude, longitude, speed, accel_lon)
SELECT date_trunc('second', t), v, k, (extract(epoch FROM t) * 1000)::bigint % 60000, t, t, 1251,
       pg_temp.lat_of(1251, 0), pg_temp.lon_of(1251, 0), speed, accel
FROM (VALUES (31, 1, timestamptz '2026-10-05 13:05:00+00', 10, 0), (31, 2, '2026-10-05 13:05:05+00', 12, -4),
             (31, 3, '2026-10-05 13:05:10+00', 14, 0), (32, 1, '2026-10-05 13:10:00+00', 9, 0)) AS m(v, k, t, speed, accel);
INSERT INTO tsi.psm_messages (ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, intersection_id, basic_type, latitude, longitude, speed)
VALUES ('2026-10-05 13:05:08+00', 31, 1, 8000, '2026-10-05 13:05:08+00', '2026-10-05 13:05:08+00', 1251, 1,
        pg_temp.lat_of(1251, 5), pg_temp.lon_of(1251, 0), 1.2);
SELECT pg_temp.feature(1251, '2026-10-05 13:07+00', 9, 0, 0, 0, 0, 0, 0);
SELECT is(tsi.compute_features('2026-10-05 13:00+00', '2026-10-05 13:10+00'), 1,
          'tsi.compute_features returns the feature rows written: one minute with messages in [13:00, 13:10)');
SELECT results_eq(
    $$SELECT minute, bsm_count, psm_count, traffic_volume, vru_count, speed_n, speed_sum, speed_sum_sq, hard_braking_count,
             vru_event_count, vehicle_event_count
      FROM tsi.features_minute WHERE intersection_id = 1251 AND minute >= '2026-10-05 13:00+00' ORDER BY minute$$,
    $$VALUES ('2026-10-05 13:05+00'::timestamptz, 3, 1, 1, 1, 3, 36::float8, 440::float8, 1, 1, 0)$$,
    'tsi.compute_features: counts, distinct vehicles and pedestrians, speed sums, hard braking and one VRU event; the minute without messages is gone, the range end excluded');
SELECT is(tsi.compute_features('2026-10-05 13:00+00', '2026-10-05 13:10+00'), 1, 'tsi.compute_features again writes the same minute again');
SELECT is(tsi.compute_features('2026-10-05 13:10+00', '2026-10-05 13:11+00'), 1, 'tsi.compute_features of the next range takes 13:10');

-- tsi.positive_or_one and tsi.norm_ratio -------------------------------------------------------------------------------------
SELECT is(ARRAY[tsi.positive_or_one(2.5), tsi.positive_or_one(0), tsi.positive_or_one(-3), tsi.positive_or_one(NULL)],
          ARRAY[2.5, 1, 1, 1]::float8[], 'tsi.positive_or_one: a positive constant as it is; 0, negative or NULL become 1');
SELECT is(ARRAY[tsi.norm_ratio(5, 10), tsi.norm_ratio(30, 10), tsi.norm_ratio(NULL, 10), tsi.norm_ratio(5, 0), tsi.norm_ratio(5, NULL)],
          ARRAY[0.5, 3, 0, 5, 5]::float8[], 'tsi.norm_ratio: raw / constant, not clipped; a NULL raw is 0; a constant of 0 or NULL counts as 1');

SELECT * FROM finish();
ROLLBACK;
