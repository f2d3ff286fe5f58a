-- Deploy trafficsafety:diary/policies to pg
-- Row-level security (reference §6). The owner (and SECURITY DEFINER functions and views it
-- owns) is not subject to it; aggregates are public, individual ratings are not.
BEGIN;
SET LOCAL ROLE tsdb_owner;

ALTER TABLE diary.routes ENABLE ROW LEVEL SECURITY;
-- One role per policy: pg_dump lists a policy's roles in no fixed order.
CREATE POLICY routes_read_public ON diary.routes FOR SELECT TO web_anon USING (is_public);
CREATE POLICY routes_read ON diary.routes FOR SELECT TO web_user
    USING (is_public OR user_id = (SELECT auth.current_user_id()));
CREATE POLICY routes_insert ON diary.routes FOR INSERT TO web_user
    WITH CHECK (user_id = (SELECT auth.current_user_id()));
CREATE POLICY routes_update ON diary.routes FOR UPDATE TO web_user
    USING (user_id = (SELECT auth.current_user_id())) WITH CHECK (user_id = (SELECT auth.current_user_id()));
CREATE POLICY routes_delete ON diary.routes FOR DELETE TO web_user
    USING (user_id = (SELECT auth.current_user_id()));
CREATE POLICY routes_analyst ON diary.routes FOR SELECT TO analyst USING (true);

ALTER TABLE diary.ratings ENABLE ROW LEVEL SECURITY;
CREATE POLICY ratings_own_read ON diary.ratings FOR SELECT TO web_user
    USING (user_id = (SELECT auth.current_user_id()));
CREATE POLICY ratings_own_insert ON diary.ratings FOR INSERT TO web_user
    WITH CHECK (user_id = (SELECT auth.current_user_id()));
CREATE POLICY ratings_analyst ON diary.ratings FOR SELECT TO analyst USING (true);

ALTER TABLE diary.votes ENABLE ROW LEVEL SECURITY;
CREATE POLICY votes_own_read ON diary.votes FOR SELECT TO web_user
    USING (user_id = (SELECT auth.current_user_id()));
CREATE POLICY votes_own_insert ON diary.votes FOR INSERT TO web_user
    WITH CHECK (user_id = (SELECT auth.current_user_id()));
CREATE POLICY votes_analyst ON diary.votes FOR SELECT TO analyst USING (true);

ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON auth.users FOR ALL TO web_user
    USING (user_id = (SELECT auth.current_user_id())) WITH CHECK (user_id = (SELECT auth.current_user_id()));

COMMIT;
