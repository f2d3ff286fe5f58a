-- Deploy trafficsafety:audit/forget_user to pg
-- When an account is deleted, the audit log keeps that it existed and what it did (ids, ratings,
-- times, the deletion itself) but none of its personal data: the e-mail and profile of its user
-- rows, the comment text of its ratings, the names and geometry (where it lives and goes) of its
-- routes. Its failed log-ins (counted by e-mail) go too.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION audit.without_personal_data(data jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT data - ARRAY['email', 'display_name', 'avatar_url', 'comment', 'route_name', 'geometry', 'alt_geometry']
$$;
COMMENT ON FUNCTION audit.without_personal_data(jsonb) IS
    'An audit row''s data without the personal fields of users, ratings and routes (e-mail, profile, comment, route name and geometry).';

-- Deferred to the end of the transaction: the audit rows of the cascades to the user's ratings,
-- votes and routes are written after the user row's own AFTER triggers have run.
CREATE FUNCTION audit.forget_user()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE audit.log
    SET old_data = audit.without_personal_data(old_data), new_data = audit.without_personal_data(new_data)
    WHERE user_id = OLD.user_id;
    DELETE FROM auth.login_failures WHERE email = OLD.email;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION audit.forget_user() IS 'Trigger: a deleted user''s personal data leave the audit log and the failed log-ins.';

CREATE CONSTRAINT TRIGGER users_forget AFTER DELETE ON auth.users DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit.forget_user();

COMMIT;
