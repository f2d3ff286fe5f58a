-- Revert trafficsafety:diary/jobs from pg
BEGIN;

DO $$ BEGIN PERFORM cron.unschedule(jobname) FROM cron.job WHERE jobname LIKE 'diary-%' AND database = current_database(); END $$;

COMMIT;
