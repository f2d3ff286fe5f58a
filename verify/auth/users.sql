-- Verify trafficsafety:auth/users on pg
SELECT user_id, email, password_hash, display_name, avatar_url, is_active, email_verified, created_at, last_login_at, api_tier FROM auth.users WHERE false;
