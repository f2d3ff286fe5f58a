-- Deploy trafficsafety:core/privileges to pg
-- Who may enter which schema, and what new objects grant by default. Grants on single
-- objects live in each area's grants change.
BEGIN;

-- Functions are not executable by PUBLIC unless a grants change says so.
ALTER DEFAULT PRIVILEGES FOR ROLE tsdb_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The REST API roles see the api schema only.
GRANT USAGE ON SCHEMA api TO web_anon, web_user;

-- Analysts read every table and view of the data schemas, present and future
-- (not auth: password hashes; not audit: personal data).
GRANT USAGE ON SCHEMA tsi, diary, analytics TO analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE tsdb_owner IN SCHEMA tsi, diary, analytics
    GRANT SELECT ON TABLES TO analyst;

-- The collector lands messages through objects of the tsi schema granted one by one.
GRANT USAGE ON SCHEMA tsi TO collector;

-- The owner schedules the pg_cron jobs, which then run as the owner, not as a superuser.
GRANT USAGE ON SCHEMA cron TO tsdb_owner;

COMMIT;
