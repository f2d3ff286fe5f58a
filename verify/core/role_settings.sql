-- Verify trafficsafety:core/role_settings on pg
DO $$
DECLARE
    settings text[];
BEGIN
    SELECT setconfig INTO settings
    FROM pg_db_role_setting s
    JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database()
    WHERE s.setrole = 'analyst'::regrole;
    IF settings IS NULL
       OR NOT settings @> ARRAY['default_transaction_read_only=on']
       OR NOT EXISTS (SELECT FROM unnest(settings) AS s WHERE s LIKE 'search_path=%tsi%') THEN
        RAISE EXCEPTION 'analyst settings missing in database %: %', current_database(), settings;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                   WHERE d.datname = current_database() AND s.setrole = 'web_anon'::regrole
                     AND s.setconfig @> ARRAY['statement_timeout=5s']) THEN
        RAISE EXCEPTION 'web_anon has no statement_timeout in this database';
    END IF;
END
$$;
