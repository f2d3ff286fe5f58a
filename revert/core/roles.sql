-- Revert trafficsafety:core/roles from pg
-- A role is dropped only when no other database of the cluster still uses it (holds a
-- grant for it); otherwise only this database's grants to it go.
BEGIN;

DO $$
DECLARE
    name text;
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM tsdb_owner, analyst', current_database());
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM tsdb_owner, authenticator, web_anon, web_user, collector, analyst',
                   current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
    FOREACH name IN ARRAY ARRAY['analyst', 'collector', 'web_user', 'web_anon', 'authenticator', 'tsdb_owner']
    LOOP
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name);
        BEGIN
            EXECUTE format('DROP ROLE %I', name);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % kept: another database of this cluster uses it', name;
        END;
    END LOOP;
END
$$;

COMMIT;
