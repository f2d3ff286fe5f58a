-- Verify trafficsafety:api/diary_auth on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['api.sign_up(text, text, text)', 'api.log_in(text, text)', 'api.delete_account()']) f;
SELECT user_id, email, display_name, avatar_url, api_tier, email_verified, created_at, last_login_at FROM api.my_account WHERE false;
