-- Revert trafficsafety:core/schemas from pg
BEGIN;

DROP SCHEMA api;
DROP SCHEMA audit;
DROP SCHEMA analytics;
DROP SCHEMA auth;
DROP SCHEMA diary;
DROP SCHEMA tsi;

COMMIT;
