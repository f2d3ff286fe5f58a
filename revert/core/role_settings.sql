-- Revert trafficsafety:core/role_settings from pg
BEGIN;

DO $$
BEGIN
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I RESET ALL', current_database());
END
$$;

COMMIT;
