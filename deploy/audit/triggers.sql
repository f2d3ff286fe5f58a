-- Deploy trafficsafety:audit/triggers to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION audit.record_change()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - 'password_hash' END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - 'password_hash' END;
BEGIN
    INSERT INTO audit.log (table_name, operation, user_id, acting_user_id, db_role, old_data, new_data)
    VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
            -- the role the request acts as (PostgREST's SET ROLE web_user …): not session_user, always
            -- authenticator behind PostgREST, nor current_user, this function's owner
            (coalesce(new_row, old_row) ->> 'user_id')::uuid, auth.current_user_id(),
            coalesce(nullif(current_setting('role'), 'none'), session_user),
            old_row, new_row);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION audit.record_change() IS 'Trigger: writes the change to audit.log without password hashes.';

CREATE TRIGGER ratings_audit AFTER INSERT OR UPDATE OR DELETE ON diary.ratings
    FOR EACH ROW EXECUTE FUNCTION audit.record_change();
CREATE TRIGGER votes_audit AFTER INSERT OR UPDATE OR DELETE ON diary.votes
    FOR EACH ROW EXECUTE FUNCTION audit.record_change();
CREATE TRIGGER routes_audit AFTER INSERT OR UPDATE OR DELETE ON diary.routes
    FOR EACH ROW EXECUTE FUNCTION audit.record_change();
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON auth.users
    FOR EACH ROW EXECUTE FUNCTION audit.record_change();

COMMIT;
