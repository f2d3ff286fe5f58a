-- Revert trafficsafety:core/privileges from pg
BEGIN;

REVOKE USAGE ON SCHEMA cron FROM tsdb_owner;
REVOKE USAGE ON SCHEMA tsi FROM collector;
ALTER DEFAULT PRIVILEGES FOR ROLE tsdb_owner IN SCHEMA tsi, diary, analytics
    REVOKE SELECT ON TABLES FROM analyst;
REVOKE USAGE ON SCHEMA tsi, diary, analytics FROM analyst;
REVOKE USAGE ON SCHEMA api FROM web_anon, web_user;
ALTER DEFAULT PRIVILEGES FOR ROLE tsdb_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC;

COMMIT;
