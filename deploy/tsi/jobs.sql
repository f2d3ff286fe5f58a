-- Deploy trafficsafety:tsi/jobs to pg
-- The engine's pg_cron jobs: each a one-line CALL of a tested procedure, scheduled by name
-- (idempotent) as the owner, so they run as tsdb_owner. pg_cron 1.4 schedules are GMT; the
-- daily rollup runs hourly so that each intersection's local midnight is caught.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DO $$
BEGIN
    PERFORM cron.schedule(job_name, schedule, command)
    FROM (VALUES
        ('tsi-process',                '* * * * *',    'CALL tsi.process_pending()'),
        ('tsi-refresh-current-status', '* * * * *',    'CALL tsi.refresh_current_status()'),
        ('tsi-rollup-hourly',          '5 * * * *',    'CALL tsi.rollup_hourly(now())'),
        ('tsi-rollup-daily',           '10 * * * *',   'CALL tsi.rollup_daily(now())'),
        ('tsi-maintenance',            '20 * * * *',   'CALL tsi.maintain_partitions(now())'),
        ('tsi-recompute-constants',    '30 * * * *',   'CALL tsi.refresh_constants(now())'),
        ('tsi-data-quality',           '*/5 * * * *',  'CALL tsi.check_data_quality(now())'),
        ('tsi-prune-job-history',      '40 3 * * *',   'CALL tsi.prune_job_history(now() - interval ''7 days'')')
    ) AS jobs (job_name, schedule, command);
END
$$;

COMMIT;
