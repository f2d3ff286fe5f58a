-- Verify trafficsafety:analytics/segment_sums_maintenance on pg
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname IN ('votes_segment_sums', 'votes_implicit_rating', 'ratings_segment_sums', 'ratings_check_tags') AND NOT tgisinternal) = 4, 'diary triggers missing';
END
$$;
SELECT has_function_privilege('tsdb_owner', 'analytics.add_sample(text, timestamptz, double precision, integer)', 'execute');
SELECT has_function_privilege('tsdb_owner', 'diary.check_tags(text[])', 'execute');
