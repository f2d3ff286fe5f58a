-- The life cycle of normalisation constants and Empirical-Bayes baselines (tsi/compute_constants,
-- tsi/rescore, tsi.refresh_constants), in the order `make up` meets it: live minutes are scored
-- first, with a bootstrap; two days of history land afterwards and get constants of their own;
-- the refresh replaces the bootstrap and rescores what it scored. Then: only final minutes are
-- read, baselines leave out bootstrap-scored hours, a formula change is rescored from the stored
-- features exactly as processing the raw messages gives it, also beyond the 1-minute rows'
-- retention, and features are kept long enough for that.
BEGIN;
SELECT plan(30);

\ir lib/positions.psql

SET LOCAL TimeZone = 'UTC';
DELETE FROM tsi.safety_indices_realtime;
DELETE FROM tsi.features_minute;
DELETE FROM tsi.safety_indices_hourly;
DELETE FROM tsi.safety_indices_daily;
DELETE FROM tsi.normalization_constants;
DELETE FROM tsi.eb_baselines;
DELETE FROM tsi.pending_minutes;
DELETE FROM tsi.dirty_hours;
DELETE FROM tsi.dirty_days;
UPDATE tsi.rollup_watermarks SET watermark = '2026-09-18+00';

INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (1101, 'Lifecycle busy', 38.86, -77.22), (1102, 'Lifecycle quiet', 38.90, -77.30);
SELECT tsi.create_daily_partitions(p, '2026-09-18', '2026-09-21')
FROM unnest(ARRAY['tsi.bsm_messages', 'tsi.psm_messages', 'tsi.features_minute', 'tsi.safety_indices_realtime']::regclass[]) AS p;

-- `vehicles` vehicles a minute at intersection i for `minutes` minutes from `first`, one message each,
-- speeds 8…(8 + vehicles) m/s, every fifth vehicle braking hard; the busy intersection also gets
-- pairs closer than 10 m with Δspeed > 5 m/s.
CREATE FUNCTION pg_temp.traffic(i integer, first timestamptz, minutes integer, vehicles integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, intersection_id,
                                  latitude, longitude, speed, accel_lon)
    SELECT date_trunc('second', t), i * 1000 + v, m % 128, (extract(epoch FROM t) * 1000)::bigint % 60000, t, t + interval '1 second', i,
           pg_temp.lat_of(i, v * 3), pg_temp.lon_of(i, 0), 8 + v + (m % 3), CASE WHEN v % 5 = 0 THEN -4 ELSE 0 END
    FROM generate_series(0, minutes - 1) AS m, generate_series(1, vehicles) AS v,
         LATERAL (SELECT first + m * interval '1 minute' + v * interval '1 second' AS t) AS x
$$;
-- The realtime rows as processing from the raw messages gives them, ids aside.
CREATE FUNCTION pg_temp.scored(from_ts timestamptz, to_ts timestamptz) RETURNS TABLE (
    intersection_id integer, "timestamp" timestamptz, combined_index float8, combined_index_eb float8, vru_index float8,
    vru_index_eb float8, vehicle_index float8, vehicle_index_eb float8, window_volume integer, formula_version integer, constants_id integer)
LANGUAGE sql AS $$
    SELECT intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb, vehicle_index, vehicle_index_eb,
           window_volume, formula_version, constants_id
    FROM tsi.safety_indices_realtime WHERE timestamp >= from_ts AND timestamp < to_ts ORDER BY 1, 2
$$;

-- Live minutes first: a bootstrap for their day ----------------------------------------------------
SELECT pg_temp.traffic(1101, '2026-09-20 10:00+00', 5, 12);
SELECT pg_temp.traffic(1102, '2026-09-20 10:00+00', 5, 2);
CALL tsi.process_range('2026-09-20 10:00+00', '2026-09-20 10:05+00');
SELECT results_eq(
    $$ SELECT valid_from, valid_until, is_bootstrap FROM tsi.normalization_constants $$,
    $$ VALUES ('2026-09-20+00'::timestamptz, '2026-09-21+00'::timestamptz, true) $$,
    'the first live minutes, 5 of them: bootstrap constants for their UTC day, not for all time');
SELECT ok(EXISTS (SELECT FROM tsi.data_quality_log WHERE issue_type = 'constants_bootstrap' AND data_time = '2026-09-20+00'),
          'the bootstrap is logged for its day');

-- History lands afterwards: two days, rush hour at the busy intersection --------------------------------
SELECT pg_temp.traffic(1101, d + interval '10 hours', 120, CASE WHEN d = '2026-09-18' THEN 6 ELSE 20 END),
       pg_temp.traffic(1102, d + interval '10 hours', 120, 2)
FROM unnest(ARRAY['2026-09-18+00', '2026-09-19+00']::timestamptz[]) AS d;
CALL tsi.process_range('2026-09-18 10:00+00', '2026-09-18 12:00+00');
CALL tsi.process_range('2026-09-19 10:00+00', '2026-09-19 12:00+00');
SELECT results_eq(
    $$ SELECT valid_from, history_from, history_until, is_bootstrap FROM tsi.normalization_constants
       WHERE valid_from < '2026-09-20' ORDER BY valid_from $$,
    $$ VALUES ('2026-09-18+00'::timestamptz, '2026-08-19+00'::timestamptz, '2026-09-18 12:14+00'::timestamptz, false),
              ('2026-09-19+00', '2026-08-20+00', '2026-09-19+00', false) $$,
    'history landed later gets rows of its own: the first day from its own 120 minutes, the next from its trailing 30 days');
SELECT results_eq(
    $$ SELECT constants FROM tsi.normalization_constants WHERE valid_from = '2026-09-19+00' $$,
    $$ SELECT constants FROM tsi.constants_from_history('2026-08-20+00', '2026-09-19+00', 15, 0.85) $$,
    'the second history day is scored with the constants of its own trailing period');
SELECT is_empty(
    $$ SELECT FROM tsi.safety_indices_realtime r JOIN tsi.normalization_constants k ON k.id = r.constants_id
       WHERE r.timestamp < '2026-09-20' AND k.valid_from = '2026-09-20+00' $$,
    'no history minute is scored with the live bootstrap');

-- The refresh replaces the bootstrap, reading final minutes only --------------------------------------
INSERT INTO tsi.pending_minutes (minute) VALUES ('2026-09-19 11:00+00');   -- a late message waits there
CALL tsi.refresh_constants('2026-09-20 10:10+00');
SELECT results_eq(
    $$ SELECT history_until, is_bootstrap FROM tsi.normalization_constants WHERE valid_from = '2026-09-20+00' $$,
    $$ VALUES ('2026-09-19 11:00+00'::timestamptz, false) $$,
    'refresh_constants replaced the bootstrap from the final minutes only: the minute waiting to be processed ends them');
SELECT is((SELECT count(*)::integer FROM tsi.data_quality_log WHERE issue_type = 'constants_bootstrap_replaced'), 1,
          'the replacement is logged');
DELETE FROM tsi.pending_minutes;
CALL tsi.refresh_constants('2026-09-20 10:20+00');
SELECT results_eq(
    $$ SELECT history_until, constants FROM tsi.normalization_constants WHERE valid_from = '2026-09-20+00' $$,
    $$ SELECT '2026-09-20+00'::timestamptz, constants FROM tsi.constants_from_history('2026-08-21+00', '2026-09-20+00', 15, 0.85) $$,
    'once the minute is processed, the next refresh completes the constants from the whole trailing period');
SELECT is_empty(
    $$ SELECT FROM tsi.safety_indices_realtime r JOIN tsi.normalization_constants k ON k.id = r.constants_id WHERE k.is_bootstrap $$,
    'no minute is left scored with bootstrap constants');
CREATE TEMP TABLE live_after AS SELECT * FROM pg_temp.scored('2026-09-20', '2026-09-21');
DELETE FROM tsi.safety_indices_realtime WHERE timestamp >= '2026-09-20';
CALL tsi.process_range('2026-09-20 10:00+00', '2026-09-20 10:05+00');
SELECT results_eq('SELECT * FROM pg_temp.scored(''2026-09-20'', ''2026-09-21'')', 'SELECT * FROM live_after',
                  'the rescored live minutes equal processing them afresh with the new constants');
SELECT ok((SELECT max(combined_index) FROM tsi.safety_indices_realtime WHERE timestamp >= '2026-09-20') < 100,
          'scored against two days of history, the live minutes are no longer clipped at 100');

-- Baselines leave out bootstrap-scored hours -------------------------------------------------------------
CALL tsi.rollup_hourly('2026-09-21+00');
UPDATE tsi.normalization_constants SET is_bootstrap = true WHERE valid_from = '2026-09-19+00';
SELECT is(tsi.store_baselines('2026-09-20+00'), true, 'store_baselines for 2026-09-20');
SELECT set_eq(
    $$ SELECT intersection_id, hour_of_day, combined_baseline, vru_baseline, vehicle_baseline, excluded_hours
       FROM tsi.baselines_from_hours('2026-09-20+00') $$,
    $$ SELECT intersection_id, hour_of_day, combined_baseline, vru_baseline, vehicle_baseline, excluded_hours
       FROM tsi.eb_baselines WHERE valid_from = '2026-09-20+00' $$,
    'the stored set is the one tsi.baselines_from_hours computes (per intersection and hour, per intersection, network)');
SELECT is(tsi.store_baselines('2026-09-20+00'), false, 'storing the same set again changes nothing (no rescoring)');
SELECT results_eq(
    $$ SELECT DISTINCT excluded_hours, sample_minutes FROM tsi.eb_baselines WHERE valid_from = '2026-09-20+00' AND intersection_id IS NULL $$,
    $$ VALUES (4, 240::bigint) $$,
    'the hours of a day scored with bootstrap constants are left out of the baselines (and counted)');
UPDATE tsi.normalization_constants SET is_bootstrap = false WHERE valid_from = '2026-09-19+00';
CALL tsi.refresh_constants('2026-09-20 10:30+00');
SELECT results_eq(
    $$ SELECT excluded_hours, sample_minutes FROM tsi.eb_baselines WHERE valid_from = '2026-09-20+00' AND intersection_id IS NULL $$,
    $$ VALUES (0, 480::bigint) $$,
    'refresh_constants redoes a baseline set that left hours out once they are scored properly');

-- A first day has no trailing hours: its own hours are its baselines ---------------------------------------
SELECT results_eq(
    $$ SELECT hour_of_day, round(combined_baseline::numeric, 9), history_until FROM tsi.eb_baselines
       WHERE valid_from = '2026-09-18+00' AND intersection_id = 1101 AND hour_of_day IS NOT NULL ORDER BY 1 $$,
    $$ SELECT hour_of_day, round(avg_combined_raw::numeric, 9), '2026-09-19+00'::timestamptz FROM tsi.safety_indices_hourly
       WHERE intersection_id = 1101 AND hour_timestamp >= '2026-09-18' AND hour_timestamp < '2026-09-19' ORDER BY 1 $$,
    'a first day takes its own hours as the baselines of the (intersection, local hour)s no trailing period has, and is complete once the day is rolled up');
SELECT is(
    (SELECT count(*)::integer FROM tsi.safety_indices_realtime AS r
     JOIN tsi.eb_baselines AS b ON b.valid_from = '2026-09-18+00' AND b.intersection_id = r.intersection_id
                                AND b.hour_of_day = extract(hour FROM r.timestamp AT TIME ZONE 'America/New_York')
     WHERE r.timestamp >= '2026-09-18' AND r.timestamp < '2026-09-19'
       AND abs(r.combined_index_eb - tsi.eb_adjust(r.combined_index, b.combined_baseline, r.window_volume, 50)) < 1e-9),
    (SELECT count(*)::integer FROM tsi.safety_indices_realtime WHERE timestamp >= '2026-09-18' AND timestamp < '2026-09-19'),
    'and its minutes were rescored with them (not with the intersection''s all-day mean)');
-- History that starts mid-day: an hour the trailing period lacks is taken from the day itself
SELECT pg_temp.traffic(1102, '2026-09-19 18:00+00', 60, 3);
CALL tsi.process_range('2026-09-19 18:00+00', '2026-09-19 19:00+00');
CALL tsi.rollup_hourly('2026-09-21+00');
CALL tsi.refresh_constants('2026-09-20 10:40+00');
SELECT results_eq(
    $$ SELECT hour_of_day, round(combined_baseline::numeric, 9) FROM tsi.eb_baselines
       WHERE valid_from = '2026-09-19+00' AND intersection_id = 1102 AND hour_of_day = 14 $$,
    $$ SELECT 14, round(avg_combined_raw::numeric, 9) FROM tsi.safety_indices_hourly
       WHERE intersection_id = 1102 AND hour_timestamp = '2026-09-19 18:00+00' $$,
    'refresh_constants redoes a set when its day gets an (intersection, local hour) it has no baseline for: the day''s own hour');

-- A formula change, rescored from the features -----------------------------------------------------------
INSERT INTO tsi.formula_config (formula_version, effective_from, description, eb_k, w_traffic_vru, w_traffic_vehicle)
VALUES (2, '2026-09-19+00', 'test: more weight on vehicles, EB trusts live values sooner', 10, 0.3, 0.7);
CALL tsi.rescore('2026-09-19+00', '2026-09-20+00');
CREATE TEMP TABLE rescored AS SELECT * FROM pg_temp.scored('2026-09-19', '2026-09-20');
SELECT is_empty($$ SELECT FROM rescored WHERE formula_version <> 2 $$, 'tsi.rescore scores every minute with the formula version in force');
DELETE FROM tsi.safety_indices_realtime WHERE timestamp >= '2026-09-19' AND timestamp < '2026-09-20';
DELETE FROM tsi.features_minute WHERE minute >= '2026-09-19' AND minute < '2026-09-20';
CALL tsi.process_range('2026-09-19 10:00+00', '2026-09-19 19:00+00');
SELECT results_eq('SELECT * FROM pg_temp.scored(''2026-09-19'', ''2026-09-20'')', 'SELECT * FROM rescored',
                  'the rescored rows equal what process_range gives from the raw messages');
SELECT results_eq(
    $$ SELECT intersection_id, hour_timestamp, round(avg_si::numeric, 9) FROM tsi.safety_indices_hourly
       WHERE hour_timestamp >= '2026-09-19' AND hour_timestamp < '2026-09-20' ORDER BY 1, 2 $$,
    $$ SELECT intersection_id, date_trunc('hour', timestamp), round(avg(combined_index_eb)::numeric, 9) FROM tsi.safety_indices_realtime
       WHERE timestamp >= '2026-09-19' AND timestamp < '2026-09-20' GROUP BY 1, 2 ORDER BY 1, 2 $$,
    'tsi.rescore rolled the changed hours up again');

-- Beyond the 1-minute rows' retention: from the features into a recreated partition -------------------
CALL tsi.rollup_daily('2026-09-21+00');
DROP TABLE tsi.safety_indices_realtime_20260918;
INSERT INTO tsi.formula_config (formula_version, effective_from, description, eb_k)
VALUES (3, '2026-09-18 11:00+00', 'test: another k from 11:00', 20);
CALL tsi.rescore('2026-09-18+00', '2026-09-19+00');
SELECT results_eq(
    $$ SELECT round(avg_si::numeric, 9) FROM tsi.safety_indices_hourly WHERE intersection_id = 1101 AND hour_timestamp = '2026-09-18 11:00+00' $$,
    $$ SELECT round(avg(combined_index_eb)::numeric, 9) FROM tsi.safety_indices_realtime
       WHERE intersection_id = 1101 AND timestamp >= '2026-09-18 11:00+00' AND timestamp < '2026-09-18 12:00+00' AND formula_version = 3 $$,
    'minutes whose 1-minute partition was dropped are rescored from their features and their hour rolled up again');
SELECT results_eq(
    $$ SELECT round(avg_si::numeric, 9) FROM tsi.safety_indices_daily WHERE intersection_id = 1101 AND date = '2026-09-18' $$,
    $$ SELECT round((sum(avg_si * minutes_with_data) / sum(minutes_with_data))::numeric, 9) FROM tsi.safety_indices_hourly
       WHERE intersection_id = 1101 AND hour_timestamp >= '2026-09-18 04:00+00' AND hour_timestamp < '2026-09-19 04:00+00' $$,
    'and the daily rollup of its local day');

-- A formula version that changes how constants are computed outdates them ----------------------------------
INSERT INTO tsi.formula_config (formula_version, effective_from, description, speed_ref_percentile)
VALUES (4, '2026-09-20+00', 'test: S_ref from the median window speed', 0.5);
SELECT results_eq(
    $$ SELECT valid_from, tsi.constants_outdated(n) FROM tsi.normalization_constants AS n
       WHERE valid_from IN ('2026-09-19+00', '2026-09-20+00') ORDER BY 1 $$,
    $$ VALUES ('2026-09-19+00'::timestamptz, false), ('2026-09-20+00', true) $$,
    'a new version that changes the speed percentile outdates the constants of its days (one that changes weights only does not)');
CALL tsi.rescore('2026-09-20 10:00+00', '2026-09-20 10:05+00');
SELECT results_eq(
    $$ SELECT n.formula_version, (n.constants ->> 's_ref')::float8 FROM tsi.normalization_constants AS n WHERE valid_from = '2026-09-20+00' $$,
    $$ SELECT 4, (k.constants ->> 's_ref')::float8 FROM tsi.normalization_constants AS n,
              tsi.constants_from_history(n.history_from, n.history_until, 15, 0.5) AS k WHERE n.valid_from = '2026-09-20+00' $$,
    'tsi.rescore recomputes outdated constants with the new version''s settings first');
SELECT is_empty(
    $$ SELECT FROM tsi.safety_indices_realtime AS r
       WHERE r.timestamp >= '2026-09-20 10:00+00' AND r.timestamp < '2026-09-20 10:05+00'
         AND (r.formula_version <> 4 OR r.constants_id <> (SELECT id FROM tsi.normalization_constants WHERE valid_from = '2026-09-20+00')) $$,
    'and scores the minutes with the new version and the recomputed constants');

-- Features are kept 31 days, so a month can be rescored ---------------------------------------------------
SELECT is((SELECT keep FROM tsi.partition_policy WHERE parent = 'tsi.features_minute'::regclass), interval '31 days',
          'features are kept 31 days (1-minute rows 48 hours)');

-- Release 1.0's helpers the rework replaced are gone, so nothing can still call them.
SELECT hasnt_function('tsi', 'store_constants', 'tsi.store_constants of release 1.0 is gone (tsi.ensure_constants stores)');
SELECT hasnt_function('tsi', 'recompute_baselines', 'tsi.recompute_baselines of release 1.0 is gone (tsi.store_baselines)');

SELECT * FROM finish();
ROLLBACK;
