-- Revert trafficsafety:core/extensions from pg
BEGIN;

DROP EXTENSION IF EXISTS pg_trgm;
DROP EXTENSION IF EXISTS btree_gist;
DROP EXTENSION IF EXISTS pgcrypto;
DROP EXTENSION IF EXISTS pg_cron;
DROP EXTENSION IF EXISTS postgis;

COMMIT;
