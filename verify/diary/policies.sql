-- Verify trafficsafety:diary/policies on pg
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM pg_class WHERE oid IN ('diary.routes'::regclass, 'diary.ratings'::regclass, 'diary.votes'::regclass, 'auth.users'::regclass) AND relrowsecurity) = 4, 'row-level security off';
    ASSERT (SELECT count(*) FROM pg_policies WHERE schemaname IN ('diary', 'auth')) = 13, 'policies missing';
END
$$;
