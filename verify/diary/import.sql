-- Verify trafficsafety:diary/import on pg
SELECT has_function_privilege('tsdb_owner', 'diary.import_segments(jsonb)', 'execute');
DO $$ BEGIN
    ASSERT (SELECT prosrc LIKE '%segment_max_length_m%' FROM pg_proc WHERE oid = 'diary.import_segments(jsonb)'::regprocedure),
           'diary.import_segments is release 1.0''s';
    ASSERT diary.setting('segment_max_length_m') IS NOT NULL, 'setting segment_max_length_m missing';
END $$;
