-- Verify trafficsafety:auth/jwt_secret on pg
SELECT singleton, secret, updated_at FROM auth.jwt_secret WHERE false;
