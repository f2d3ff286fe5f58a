-- Revert trafficsafety:api/diary_writes from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW api.my_votes;
DROP VIEW api.my_ratings;
DROP FUNCTION api.submit_vote(text, text, uuid);
DROP FUNCTION api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid);
DROP FUNCTION api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid);

COMMIT;
