-- The operators' metrics (ops.*, scraped by prometheus-postgres-exporter through
-- monitoring/queries.yaml): each function's figures against the rows they count, on known data.
BEGIN;
SELECT plan(19);

-- ops.engine_status: pending minutes and how long the oldest has waited -----------------------
CREATE TEMP TABLE engine_before AS SELECT * FROM ops.engine_status();
INSERT INTO tsi.pending_minutes (minute, marked_at)
VALUES (date_trunc('minute', now()) - interval '3 days', now() - interval '10 days');
SELECT is((SELECT pending_minutes FROM ops.engine_status()), (SELECT pending_minutes + 1 FROM engine_before),
          'ops.engine_status: a minute marked pending is counted');
SELECT cmp_ok((SELECT processing_lag_seconds FROM ops.engine_status()), '>=', 864000::float8,
              'ops.engine_status: the lag is the age of the oldest pending mark (10 days here)');
SELECT is((SELECT dirty_hours FROM ops.engine_status()), (SELECT count(*) FROM tsi.dirty_hours),
          'ops.engine_status: dirty hours are the rows of tsi.dirty_hours');

-- ops.landing_status: batches of the last 5 minutes, and when the newest landed ---------------
CREATE TEMP TABLE landing_before AS SELECT * FROM ops.landing_status();
INSERT INTO tsi.landed_batches (batch_id, received, landed, duplicates, quarantined, unassigned, landed_at)
VALUES (gen_random_uuid(), 10, 7, 2, 1, 3, now()),
       (gen_random_uuid(), 100, 100, 0, 0, 0, now() - interval '6 minutes');
SELECT is((SELECT ARRAY[batches_5m, received_5m, landed_5m, duplicates_5m, quarantined_5m, unassigned_5m] FROM ops.landing_status()),
          (SELECT ARRAY[batches_5m + 1, received_5m + 10, landed_5m + 7, duplicates_5m + 2, quarantined_5m + 1, unassigned_5m + 3]
           FROM landing_before),
          'ops.landing_status: the batch of now counts with its messages, the one of 6 minutes ago does not');
SELECT is((SELECT last_landed_seconds FROM ops.landing_status()), extract(epoch FROM now())::float8,
          'ops.landing_status: the newest batch landed now (Unix seconds)');

-- ops.quarantine_by_reason: all kept, and of the last hour ----------------------------------------
INSERT INTO tsi.quarantine (msg_type, reason, detail, payload, payload_hash, received_at, quarantined_at)
VALUES ('bsm', 'ops_test', 'now', '{"n": 1}', '\x01', now(), now()),
       ('bsm', 'ops_test', 'two hours ago', '{"n": 2}', '\x02', now(), now() - interval '2 hours');
SELECT results_eq($$ SELECT messages, messages_1h FROM ops.quarantine_by_reason() WHERE reason = 'ops_test' $$,
                  $$ VALUES (2::bigint, 1::bigint) $$,
                  'ops.quarantine_by_reason: both messages of the reason, one of them in the last hour');
SELECT is((SELECT sum(messages) FROM ops.quarantine_by_reason()), (SELECT count(*)::numeric FROM tsi.quarantine),
          'ops.quarantine_by_reason: every quarantined message under one reason');

-- ops.cron_jobs: each job of this database, its runs and failures ---------------------------------
SELECT cron.schedule_in_database('ops-test-job', '0 0 31 2 *', 'SELECT 1', current_database(), 'tsdb_owner');  -- runs never (31 February)
SELECT set_eq($$ SELECT jobname FROM ops.cron_jobs() $$,
              $$ SELECT jobname::text FROM cron.job WHERE database = current_database() $$,
              'ops.cron_jobs: one row per pg_cron job of this database');
-- runs of the jobs' owner: pg_cron shows each role only its own runs, ops.cron_jobs reads as the owner
INSERT INTO cron.job_run_details (jobid, runid, username, status, return_message, start_time, end_time)
SELECT jobid, -1, 'tsdb_owner', 'failed', 'ops test', now() - interval '90 seconds', now() - interval '60 seconds'
FROM cron.job WHERE jobname = 'ops-test-job';
SELECT results_eq(
    $$ SELECT failures_1h = 1, failures_24h = 1, last_failed, last_duration_seconds, last_start_seconds
       FROM ops.cron_jobs() WHERE jobname = 'ops-test-job' $$,
    $$ VALUES (true, true, 1, 30::float8, extract(epoch FROM now() - interval '90 seconds')::float8) $$,
    'ops.cron_jobs: a failed run of a minute ago makes its job''s last run failed, 30 s long');
INSERT INTO cron.job_run_details (jobid, runid, username, status, return_message, start_time, end_time)
SELECT jobid, -2, 'tsdb_owner', 'succeeded', 'ops test', now() - interval '20 seconds', now() - interval '18 seconds'
FROM cron.job WHERE jobname = 'ops-test-job';
SELECT results_eq(
    $$ SELECT last_failed, last_duration_seconds, last_success_seconds FROM ops.cron_jobs() WHERE jobname = 'ops-test-job' $$,
    $$ VALUES (0, 2::float8, extract(epoch FROM now() - interval '18 seconds')::float8) $$,
    'ops.cron_jobs: a later success clears last_failed and gives its duration and end');

-- ops.intersection_status and ops.business_status: completeness of the last 60 complete minutes ---
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (1601, 'Ops half', 38.80, -77.30), (1602, 'Ops none', 38.81, -77.30);
SELECT tsi.create_daily_partitions('tsi.features_minute', (now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date);
INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count, speed_n,
                                 speed_sum, speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count)
SELECT 1601, date_trunc('minute', now()) - m * interval '1 minute', 5, 0, 3, 0, 0, 0, 0, 0, 0, 0
FROM generate_series(0, 60, 2) AS m;  -- the minute still running (0) and every other one of the 60 before
SELECT results_eq(
    $$ SELECT intersection_id, minutes_1h, completeness_1h FROM ops.intersection_status() WHERE intersection_id IN (1601, 1602) ORDER BY 1 $$,
    $$ VALUES (1601, 30::bigint, 0.5::float8), (1602, 0::bigint, 0::float8) $$,
    'ops.intersection_status: minutes with data among the last 60 complete ones (the running minute not counted), and their share');
SELECT is((SELECT ARRAY[name, safety_index::text, high_risk::text] FROM ops.intersection_status() WHERE intersection_id = 1602),
          ARRAY['Ops none', NULL, NULL], 'ops.intersection_status: an intersection without an index has none');
SELECT is((SELECT intersections_tracked FROM ops.business_status()), (SELECT count(*) FROM tsi.intersections),
          'ops.business_status: every intersection is tracked');
SELECT is((SELECT intersections_with_data_1h FROM ops.business_status()),
          (SELECT count(*) FROM ops.intersection_status() WHERE minutes_1h > 0),
          'ops.business_status: intersections with data are those with minutes in the last hour');
SELECT is((SELECT round(completeness_1h::numeric, 9) FROM ops.business_status()),
          (SELECT round(avg(completeness_1h)::numeric, 9) FROM ops.intersection_status()),
          'ops.business_status: the network''s completeness is the mean of the intersections''');
SELECT is((SELECT high_risk_intersections FROM ops.business_status()),
          (SELECT count(*) FROM tsi.mv_current_safety_status WHERE risk_band = 'high'),
          'ops.business_status: high-risk intersections are those of the snapshot');

-- Who may read them ---------------------------------------------------------------------------
SELECT ok(has_function_privilege('tsdb_monitor', f, 'execute'), 'the monitoring role may call ' || f)
FROM unnest(ARRAY['ops.engine_status()', 'ops.landing_status()', 'ops.quarantine_by_reason()']) AS f;

SELECT * FROM finish();
ROLLBACK;
