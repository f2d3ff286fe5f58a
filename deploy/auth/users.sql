-- Deploy trafficsafety:auth/users to pg
-- The seed's users, with e-mail unique regardless of case (stored lower-cased).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE auth.users (
    user_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          varchar(255) NOT NULL CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    password_hash  varchar(255) NOT NULL,  -- bcrypt
    display_name   varchar(100),
    avatar_url     text,
    is_active      boolean NOT NULL DEFAULT true,
    email_verified boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz,
    api_tier       varchar(20) NOT NULL DEFAULT 'free' CHECK (api_tier IN ('free', 'premium', 'enterprise'))
);
COMMENT ON TABLE auth.users IS 'Diary user accounts: e-mail (lower case, unique), bcrypt hash, profile, write-limit tier.';

CREATE UNIQUE INDEX idx_users_email ON auth.users (email);
CREATE INDEX idx_users_active ON auth.users (is_active) WHERE is_active;
CREATE INDEX idx_users_tier ON auth.users (api_tier);

COMMIT;
