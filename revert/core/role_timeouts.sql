-- Revert trafficsafety:core/role_timeouts from pg
BEGIN;

DO $$
BEGIN
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I RESET statement_timeout', current_database());
END
$$;

COMMIT;
