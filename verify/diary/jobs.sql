-- Verify trafficsafety:diary/jobs on pg
DO $$
BEGIN
    ASSERT EXISTS (SELECT FROM cron.job WHERE jobname = 'diary-repair-aggregates' AND username = 'tsdb_owner'
                                          AND database = current_database()),
           'missing pg_cron job diary-repair-aggregates';
END
$$;
