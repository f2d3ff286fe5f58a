-- Verify trafficsafety:auth/functions on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['auth.current_user_id()', 'auth.base64url(bytea)', 'auth.sign_jwt(jsonb)', 'auth.session_for(uuid)']) f;
