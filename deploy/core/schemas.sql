-- Deploy trafficsafety:core/schemas to pg
-- Data lives in private schemas; the REST API (PostgREST) sees only the api schema,
-- which holds views and functions, never tables.
BEGIN;

CREATE SCHEMA tsi AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA tsi IS 'Intersection safety index: intersections, raw V2X messages, 1-minute indices, rollups.';

CREATE SCHEMA diary AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA diary IS 'Route safety diary: street segments, ratings, votes, routes.';

CREATE SCHEMA auth AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA auth IS 'Users, password hashes and JWT signing; never exposed.';

CREATE SCHEMA analytics AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA analytics IS 'Derived data of the diary: segment aggregates, trends, coverage.';

CREATE SCHEMA audit AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA audit IS 'Audit log of changes to ratings, votes, routes and users.';

CREATE SCHEMA api AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA api IS 'Traffic-safety database REST API: safety indices of intersections and the route safety diary.';

COMMIT;
