-- Verify trafficsafety:core/privileges on pg
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_default_acl
        WHERE defaclrole = 'tsdb_owner'::regrole AND defaclnamespace = 0 AND defaclobjtype = 'f'
    ) THEN
        RAISE EXCEPTION 'default privileges of tsdb_owner still grant EXECUTE to PUBLIC';
    END IF;
    IF NOT has_schema_privilege('web_anon', 'api', 'usage') THEN
        RAISE EXCEPTION 'web_anon cannot use schema api';
    END IF;
    IF NOT has_schema_privilege('analyst', 'tsi', 'usage') THEN
        RAISE EXCEPTION 'analyst cannot use schema tsi';
    END IF;
    IF NOT has_schema_privilege('tsdb_owner', 'cron', 'usage') THEN
        RAISE EXCEPTION 'tsdb_owner cannot schedule pg_cron jobs';
    END IF;
END
$$;
