-- Verify trafficsafety:audit/triggers on pg
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname IN ('users_audit', 'routes_audit', 'votes_audit', 'ratings_audit')) = 4, 'audit triggers missing';
END
$$;
SELECT has_function_privilege('tsdb_owner', 'audit.record_change()', 'execute');
