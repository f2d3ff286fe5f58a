-- Deploy trafficsafety:tsi/jobs to pg
-- The engine's pg_cron jobs: each a one-line CALL of a tested procedure, scheduled by name
-- (idempotent) for the owner, so they run as tsdb_owner, in the database being deployed (not
-- cron.database_name: a test database gets its own job rows and needs no other database).
-- schedule_in_database is for superusers only in pg_cron 1.4, hence no SET ROLE here.
-- pg_cron 1.4 schedules are GMT; the daily rollup runs hourly so that each intersection's local
-- midnight is caught.
-- Rework of release 1.0: constants and baselines are refreshed every 10 minutes (at :02, :12, …),
-- so bootstrap constants are replaced and their minutes rescored soon after enough history is final.
BEGIN;

DO $$
BEGIN
    PERFORM cron.schedule_in_database(job_name, schedule, command, current_database(), 'tsdb_owner')
    FROM (VALUES
        ('tsi-process',                '* * * * *',    'CALL tsi.process_pending()'),
        ('tsi-refresh-current-status', '* * * * *',    'CALL tsi.refresh_current_status()'),
        ('tsi-rollup-hourly',          '5 * * * *',    'CALL tsi.rollup_hourly(now())'),
        ('tsi-rollup-daily',           '10 * * * *',   'CALL tsi.rollup_daily(now())'),
        ('tsi-maintenance',            '20 * * * *',   'CALL tsi.maintain_partitions(now())'),
        ('tsi-recompute-constants',    '2-59/10 * * * *', 'CALL tsi.refresh_constants(now())'),
        ('tsi-data-quality',           '*/5 * * * *',  'CALL tsi.check_data_quality(now())'),
        ('tsi-prune-job-history',      '40 3 * * *',   'CALL tsi.prune_job_history(now() - interval ''7 days'')')
    ) AS jobs (job_name, schedule, command);
END
$$;

COMMIT;
