-- Revert trafficsafety:core/role_settings from pg
BEGIN;

DO $$
BEGIN
    EXECUTE format('ALTER ROLE web_user IN DATABASE %I RESET statement_timeout', current_database());
    EXECUTE format('ALTER ROLE web_anon IN DATABASE %I RESET statement_timeout', current_database());
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I RESET ALL', current_database());
END
$$;

COMMIT;
