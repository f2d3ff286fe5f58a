-- Verify trafficsafety:diary/segment_scores_job on pg
DO $$
BEGIN
    ASSERT EXISTS (SELECT FROM cron.job WHERE jobname = 'diary-segment-scores' AND username = 'tsdb_owner'
                                          AND database = current_database()),
           'missing pg_cron job diary-segment-scores';
END
$$;
