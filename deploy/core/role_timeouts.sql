-- Deploy trafficsafety:core/role_timeouts to pg
-- Statement timeouts per role, in one place: the role's setting in this database
-- (pg_db_role_setting). A login role gets it when it connects (the analyst); PostgREST 12.0.2
-- connects as authenticator and only SET ROLEs to web_anon or web_user, which applies none of
-- their settings, so the pre-request check (auth/request_check) reads the same setting and SETs it
-- LOCAL for each request. web_anon 5 s and web_user 15 s are core/role_settings' values.
BEGIN;

DO $$
BEGIN
    -- An analyst's ad-hoc query may scan history, but not hold a backend for ever.
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I SET statement_timeout = %L', current_database(), '5min');
END
$$;

COMMIT;
