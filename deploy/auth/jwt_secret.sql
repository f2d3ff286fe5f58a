-- Deploy trafficsafety:auth/jwt_secret to pg
-- The HS256 secret PostgREST verifies tokens with. It is environment data, not schema:
-- `make up`/`make test` store it after each deploy (db/scripts/deploy.sh); functions that
-- sign tokens read it as the owner. No role but the owner can read it.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE auth.jwt_secret (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    secret     text NOT NULL CHECK (length(secret) >= 32),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE auth.jwt_secret IS
    'The one JWT signing secret (HS256), the same PostgREST verifies with; at least 32 characters.';

COMMIT;
