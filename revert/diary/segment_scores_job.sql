-- Revert trafficsafety:diary/segment_scores_job from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DO $$ BEGIN PERFORM cron.unschedule('diary-segment-scores'); END $$;

COMMIT;
