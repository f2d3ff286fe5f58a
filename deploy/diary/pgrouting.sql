-- Deploy trafficsafety:diary/pgrouting to pg
-- pgRouting (A*) for the diary's safest routes; the package is installed by bootstrap.sh and the image.
BEGIN;

CREATE EXTENSION IF NOT EXISTS pgrouting;

COMMIT;
