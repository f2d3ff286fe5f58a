-- Deploy trafficsafety:core/role_settings to pg
-- Settings of our roles in this database only (ALTER ROLE ... IN DATABASE), so that other
-- databases of the cluster keep theirs.
BEGIN;

DO $$
BEGIN
    -- Analysts write the design document's SQL unqualified: FROM intersections, FROM ratings.
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I SET search_path = tsi, diary, analytics, public',
                   current_database());
    -- Read-only by default as well as by grants: a stray UPDATE fails before it reaches a grant check.
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I SET default_transaction_read_only = on',
                   current_database());
    -- An API request may not hold a connection of PostgREST's small pool (db-pool in
    -- db/postgrest.conf) for long.
    EXECUTE format('ALTER ROLE web_anon IN DATABASE %I SET statement_timeout = %L', current_database(), '5s');
    EXECUTE format('ALTER ROLE web_user IN DATABASE %I SET statement_timeout = %L', current_database(), '15s');
END
$$;

COMMIT;
