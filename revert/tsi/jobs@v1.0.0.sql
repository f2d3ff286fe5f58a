-- Revert trafficsafety:tsi/jobs from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DO $$ BEGIN PERFORM cron.unschedule(jobname) FROM cron.job WHERE jobname LIKE 'tsi-%'; END $$;

COMMIT;
