-- Deploy trafficsafety:core/roles to pg
-- Roles are cluster-wide: several databases of one cluster (the dev database and the
-- throwaway test database) share them, so they are created when missing and their
-- attributes enforced either way.
BEGIN;

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            -- LOGIN because pg_cron's background workers connect as the job's owner; it has no
            -- password, so nobody logs in as it over the network.
            ('tsdb_owner',    'LOGIN NOINHERIT',
             'Owns every object of the traffic-safety database; Sqitch deploys create objects as it and pg_cron jobs run as it.'),
            ('authenticator', 'LOGIN NOINHERIT',
             'PostgREST logs in as this role and switches to web_anon or web_user per request.'),
            ('web_anon',      'NOLOGIN',
             'Anonymous REST API requests: reads of the api schema only.'),
            ('web_user',      'NOLOGIN',
             'Authenticated REST API requests (a valid JWT): anonymous rights plus their own writes.'),
            ('collector',     'LOGIN',
             'The Python collector: lands V2X messages through staging tables and procedures.'),
            ('analyst',       'LOGIN',
             'Read-only SQL access for analysts to the data schemas.')
        ) AS t(name, attributes, description)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) THEN
            EXECUTE format('CREATE ROLE %I', r.name);
        END IF;
        EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS %s',
                       r.name, r.attributes);
        EXECUTE format('COMMENT ON ROLE %I IS %L', r.name, r.description);
    END LOOP;
END
$$;

GRANT web_anon, web_user TO authenticator;

-- Only our roles may connect to this database. The grants also mark the roles as used by
-- this database, so a revert in another database of the cluster cannot drop them.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO tsdb_owner, authenticator, web_anon, web_user, collector, analyst',
                   current_database());
    -- Procedures stage rows in temporary tables; analysts may keep their own.
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO tsdb_owner, analyst', current_database());
END
$$;

COMMIT;
