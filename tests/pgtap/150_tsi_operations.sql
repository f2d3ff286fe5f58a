-- Operating the engine: pg_cron jobs, data-quality checks, health, the current-status view,
-- and what the collector and analyst roles can and cannot do.
BEGIN;
SELECT plan(25);

SELECT results_eq(
    $$ SELECT jobname::text COLLATE "default", schedule COLLATE "default", username::text COLLATE "default"
       FROM cron.job WHERE jobname LIKE 'tsi-%' ORDER BY jobname $$,
    $$ VALUES ('tsi-data-quality', '*/5 * * * *', 'tsdb_owner'),
              ('tsi-maintenance', '20 * * * *', 'tsdb_owner'),
              ('tsi-process', '* * * * *', 'tsdb_owner'),
              ('tsi-prune-job-history', '40 3 * * *', 'tsdb_owner'),
              ('tsi-recompute-constants', '2-59/10 * * * *', 'tsdb_owner'),
              ('tsi-refresh-current-status', '* * * * *', 'tsdb_owner'),
              ('tsi-rollup-daily', '10 * * * *', 'tsdb_owner'),
              ('tsi-rollup-hourly', '5 * * * *', 'tsdb_owner') $$,
    'the engine''s pg_cron jobs are registered by name, with GMT schedules, as the owner');
SELECT is_empty(
    $$ SELECT jobname FROM cron.job WHERE jobname LIKE 'tsi-%' AND command !~ '^CALL tsi\.[a-z_]+\([^;]*\)$' $$,
    'every job is a one-line CALL of a procedure');
SELECT is_empty(
    $$ SELECT jobname FROM cron.job AS j WHERE jobname LIKE 'tsi-%'
       AND NOT EXISTS (SELECT FROM pg_proc AS p WHERE p.prokind = 'p' AND p.pronamespace = 'tsi'::regnamespace
                       AND j.command LIKE 'CALL tsi.' || p.proname || '(%') $$,
    'every job calls an existing procedure');

-- Data quality on known data.
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (152, 'Intersection 152', 38.862981, -77.227696), (156, 'Intersection 156', 38.928411, -77.241071);
SELECT tsi.create_daily_partitions('tsi.features_minute', '2026-06-01', '2026-06-01');
INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count, speed_n,
                                 speed_sum, speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count)
SELECT 152, timestamptz '2026-06-01 10:00+00' + m * interval '1 minute', CASE WHEN m < 3 THEN 2 ELSE 20 END, 0, 3, 0, 0, 0, 0, 0, 0, 0
FROM generate_series(0, 119) AS m
UNION ALL
SELECT 156, timestamptz '2026-06-01 10:00+00' + m * interval '1 minute', 20, 0, 3, 0, 0, 0, 0, 0, 0, 0
FROM generate_series(0, 29) AS m;

CALL tsi.check_data_quality('2026-06-01 11:10+00');
SELECT results_eq(
    $$ SELECT intersection_id, severity::text FROM tsi.data_quality_log WHERE issue_type = 'silent_intersection' $$,
    $$ VALUES (156, 'warning') $$,
    'an intersection silent for longer than the threshold while others send is logged');
SELECT results_eq(
    $$ SELECT intersection_id, (metadata ->> 'minutes')::integer FROM tsi.data_quality_log WHERE issue_type = 'sparse_minutes' $$,
    $$ VALUES (152, 3) $$,
    'minutes with fewer messages than the minimum are counted per intersection and hour');
SELECT lives_ok($$ CALL tsi.check_data_quality('2026-06-01 11:20+00') $$, 'the check runs again');
SELECT is((SELECT count(*)::integer FROM tsi.data_quality_log), 2, 'a finding is logged once');

INSERT INTO tsi.features_minute_default (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count,
    speed_n, speed_sum, speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count)
VALUES (152, '2031-01-01 00:00+00', 1, 0, 1, 0, 0, 0, 0, 0, 0, 0);
CALL tsi.check_data_quality('2026-06-01 11:20+00');
SELECT is((SELECT count(*)::integer FROM tsi.data_quality_log WHERE issue_type = 'default_partition_rows' AND severity = 'error'), 1,
          'rows in a default partition are logged as an error');
SELECT is((SELECT default_partition_rows::integer FROM tsi.health), 1, 'tsi.health counts rows in default partitions');
DELETE FROM tsi.features_minute_default;

INSERT INTO tsi.pending_minutes (minute, marked_at) VALUES ('2026-06-01 11:59+00', now() - interval '90 seconds');
SELECT results_eq(
    $$ SELECT newest_data, pending_minutes, oldest_pending_minute, processing_lag_seconds >= 90 FROM tsi.health $$,
    $$ VALUES (timestamptz '2026-06-01 11:59+00', 1::bigint, timestamptz '2026-06-01 11:59+00', true) $$,
    'tsi.health shows the newest data, pending minutes and the processing lag');
SELECT is((SELECT jsonb_array_length(intersections) FROM tsi.health), 2, 'tsi.health lists every intersection''s last data');

-- Current status: the newest row of each intersection, however old (trap 10).
SELECT tsi.create_daily_partitions('tsi.safety_indices_realtime', '2026-06-01', '2026-06-01');
INSERT INTO tsi.safety_indices_realtime (intersection_id, timestamp, combined_index, combined_index_eb, traffic_volume,
                                         hour_of_day, day_of_week, formula_version)
VALUES (152, '2026-06-01 10:00+00', 50, 80, 3, 6, 0, 1), (152, '2026-06-01 10:01+00', 50, 61, 4, 6, 0, 1),
       (156, '2026-06-01 10:00+00', 0, 0, 0, 6, 0, 1);
CALL tsi.refresh_current_status();
SELECT results_eq(
    $$ SELECT intersection_id, safety_index, traffic_volume, last_updated, risk_band FROM tsi.mv_current_safety_status ORDER BY 1 $$,
    $$ VALUES (152, 61::float8, 4, timestamptz '2026-06-01 10:01+00', 'medium'),
              (156, 0::float8, 0, timestamptz '2026-06-01 10:00+00', 'low') $$,
    'mv_current_safety_status holds each intersection''s newest index with its risk band (0 is a valid index)');

SET LOCAL ROLE tsdb_owner;
SELECT lives_ok($$ CALL tsi.prune_job_history(now() - interval '7 days') $$, 'the owner prunes its job history');
RESET ROLE;

-- The collector lands batches and can do nothing else.
SET LOCAL ROLE collector;
SELECT lives_ok(
    $$ INSERT INTO tsi.message_staging VALUES ('00000000-0000-0000-0000-0000000000c1', 'bsm', now(), '{"timestamp": 1}') $$,
    'the collector copies into the staging table');
SELECT lives_ok($$ CALL tsi.land_batch('00000000-0000-0000-0000-0000000000c1') $$, 'the collector lands its batch');
SELECT throws_ok($$ SELECT * FROM tsi.bsm_messages $$, '42501', NULL, 'the collector cannot read landed messages');
SELECT throws_ok($$ SELECT * FROM tsi.message_staging $$, '42501', NULL, 'the collector cannot read the staging table');
SELECT throws_ok($$ CALL tsi.process_range(now() - interval '1 hour', now()) $$, '42501', NULL, 'the collector cannot process');
SELECT throws_ok($$ DELETE FROM tsi.intersections $$, '42501', NULL, 'the collector cannot change intersections');
RESET ROLE;
SELECT is((SELECT reason FROM tsi.quarantine WHERE batch_id = '00000000-0000-0000-0000-0000000000c1'), 'invalid_timestamp',
          'the collector''s bad message was quarantined, not lost');

-- The analyst reads and cannot change or run anything that writes.
SET LOCAL ROLE analyst;
SELECT lives_ok($$ SELECT count(*) FROM tsi.safety_indices_realtime, tsi.quarantine, tsi.health $$,
                'the analyst reads the tsi tables and views');
SELECT throws_ok($$ UPDATE tsi.intersections SET name = 'x' $$, '42501', NULL, 'the analyst cannot change tables');
SELECT throws_ok($$ CALL tsi.land_batch('00000000-0000-0000-0000-0000000000c2') $$, '42501', NULL,
                 'the analyst cannot land batches');
SELECT throws_ok($$ CALL tsi.rollup_hourly(now()) $$, '42501', NULL, 'the analyst cannot run rollups');
SELECT throws_ok($$ SELECT secret FROM auth.jwt_secret $$, '42501', NULL, 'the analyst reads nothing secret');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
