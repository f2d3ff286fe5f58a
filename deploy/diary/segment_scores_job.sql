-- Deploy trafficsafety:diary/segment_scores_job to pg
-- The score columns of diary.segments follow the decay of segments nobody rated lately: every
-- 10 minutes, only the rows whose rounded values changed are written (a 21-day half-life moves
-- a mean by less than 0.01 in most 10-minute steps).
BEGIN;

DO $$
BEGIN
    PERFORM cron.schedule_in_database('diary-segment-scores', '*/10 * * * *',
                                      'SELECT diary.refresh_segment_scores()',
                                      current_database(), 'tsdb_owner');
END
$$;

COMMIT;
