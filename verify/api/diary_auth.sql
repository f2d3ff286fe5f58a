-- Verify trafficsafety:api/diary_auth on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['api.sign_up(text, text, text)', 'api.log_in(text, text)', 'api.delete_account()']) f;
SELECT user_id, email, display_name, avatar_url, api_tier, email_verified, created_at, last_login_at FROM api.my_account WHERE false;
DO $$
BEGIN
    IF position('check_login_throttle' IN pg_get_functiondef('api.log_in(text, text)'::regprocedure)) = 0
       OR position('check_login_throttle' IN pg_get_functiondef('api.sign_up(text, text, text)'::regprocedure)) = 0 THEN
        RAISE EXCEPTION 'api.log_in and api.sign_up are not the reworked, throttled ones';
    END IF;
END
$$;
