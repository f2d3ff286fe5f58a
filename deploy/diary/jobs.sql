-- Deploy trafficsafety:diary/jobs to pg
-- The diary's pg_cron job, scheduled like tsi/jobs for the owner in the deployed database.
-- Hourly, so a sample leaves the 180-day window within the hour (it weighs 2^(-180/21) < 0.3 %).
BEGIN;

DO $$
BEGIN
    PERFORM cron.schedule_in_database('diary-repair-aggregates', '45 * * * *',
                                      'CALL analytics.repair_segment_aggregates(now())',
                                      current_database(), 'tsdb_owner');
END
$$;

COMMIT;
