-- Revert trafficsafety:diary/policies from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP POLICY users_self ON auth.users;
ALTER TABLE auth.users DISABLE ROW LEVEL SECURITY;
DROP POLICY votes_analyst ON diary.votes;
DROP POLICY votes_own_insert ON diary.votes;
DROP POLICY votes_own_read ON diary.votes;
ALTER TABLE diary.votes DISABLE ROW LEVEL SECURITY;
DROP POLICY ratings_analyst ON diary.ratings;
DROP POLICY ratings_own_insert ON diary.ratings;
DROP POLICY ratings_own_read ON diary.ratings;
ALTER TABLE diary.ratings DISABLE ROW LEVEL SECURITY;
DROP POLICY routes_analyst ON diary.routes;
DROP POLICY routes_delete ON diary.routes;
DROP POLICY routes_update ON diary.routes;
DROP POLICY routes_insert ON diary.routes;
DROP POLICY routes_read ON diary.routes;
DROP POLICY routes_read_public ON diary.routes;
ALTER TABLE diary.routes DISABLE ROW LEVEL SECURITY;

COMMIT;
