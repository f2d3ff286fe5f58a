-- Verify trafficsafety:core/role_timeouts on pg
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                   WHERE d.datname = current_database() AND s.setrole = 'analyst'::regrole
                     AND s.setconfig @> ARRAY['statement_timeout=5min']) THEN
        RAISE EXCEPTION 'analyst has no statement_timeout in this database';
    END IF;
END
$$;
