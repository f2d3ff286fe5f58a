-- Revert trafficsafety:core/roles from pg
-- A role is dropped only when no other database of the cluster still uses it; otherwise
-- only this database's grants to it go.
BEGIN;

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['analyst', 'collector', 'web_user', 'web_anon', 'authenticator', 'tsdb_owner']
    LOOP
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name);
        EXECUTE format('DROP OWNED BY %I', name);
        BEGIN
            EXECUTE format('DROP ROLE %I', name);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % kept: another database of this cluster uses it', name;
        END;
    END LOOP;
END
$$;

COMMIT;
