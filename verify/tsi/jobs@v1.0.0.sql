-- Verify trafficsafety:tsi/jobs on pg
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['tsi-process', 'tsi-refresh-current-status', 'tsi-rollup-hourly', 'tsi-rollup-daily',
                      'tsi-maintenance', 'tsi-recompute-constants', 'tsi-data-quality', 'tsi-prune-job-history']) AS name
    WHERE NOT EXISTS (SELECT FROM cron.job WHERE jobname = name AND username = 'tsdb_owner'
                                     AND database = current_database());
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'missing pg_cron jobs: %', missing;
    END IF;
END
$$;
