-- Deploy trafficsafety:core/extensions to pg
-- IF NOT EXISTS: the postgis/postgis image pre-creates PostGIS in its database.
BEGIN;

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_cron;     -- needs shared_preload_libraries and cron.database_name
CREATE EXTENSION IF NOT EXISTS pgcrypto;    -- bcrypt passwords, HMAC for JWT signing
CREATE EXTENSION IF NOT EXISTS btree_gist;  -- exclusion constraints mixing ranges and scalars
CREATE EXTENSION IF NOT EXISTS pg_trgm;     -- fuzzy search on street and intersection names
CREATE EXTENSION IF NOT EXISTS pgrouting;   -- A* for the diary's safest routes

COMMIT;
