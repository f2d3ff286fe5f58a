-- Revert trafficsafety:audit/triggers from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TRIGGER users_audit ON auth.users;
DROP TRIGGER routes_audit ON diary.routes;
DROP TRIGGER votes_audit ON diary.votes;
DROP TRIGGER ratings_audit ON diary.ratings;
DROP FUNCTION audit.record_change();

COMMIT;
