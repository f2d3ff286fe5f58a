-- Deploy trafficsafety:api/role_settings to pg
-- Limits of API requests, applied by PostgREST 12 when it switches to the role (it reads the
-- roles' per-database settings): an anonymous request may not hold a connection of the small
-- pool (db-pool in db/postgrest.conf) for long.
BEGIN;

DO $$
BEGIN
    EXECUTE format('ALTER ROLE web_anon IN DATABASE %I SET statement_timeout = %L', current_database(), '5s');
    EXECUTE format('ALTER ROLE web_user IN DATABASE %I SET statement_timeout = %L', current_database(), '15s');
END
$$;

COMMIT;
