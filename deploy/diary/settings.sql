-- Deploy trafficsafety:diary/settings to pg
-- The numbers the reference marks as configuration, and the write limits per tier.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE diary.settings (
    key         text PRIMARY KEY,
    value       numeric NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE diary.settings IS
    'Configuration of the diary (half-life, window, prior, limits). Changing a scoring value takes effect for stored sums at the next exact recompute (analytics.repair_segment_aggregates).';

INSERT INTO diary.settings (key, value, description) VALUES
    ('decay_half_life_days',   21,   'Half-life of a sample''s weight, days'),
    ('window_days',            180,  'Samples older than this are ignored, days'),
    ('prior_mean',             3.0,  'Mean the score is shrunk toward'),
    ('prior_weight',           5,    'How many samples the prior is worth'),
    ('confidence_full_n',      10,   'n_eff at which confidence reaches 1'),
    ('delta_recent_days',      30,   'delta_30d: recent window, days'),
    ('delta_earlier_days',     90,   'delta_30d: the earlier window ends this many days ago'),
    ('rating_max_age_hours',   24,   'A client-given rating time may be at most this old'),
    ('trip_max_overrides',     2,    'Per-segment overrides a trip rating may carry'),
    ('min_password_length',    10,   'Shortest password accepted at sign-up'),
    ('token_lifetime_hours',   24,   'Lifetime of a JWT issued at sign-up and log-in');

CREATE TABLE diary.write_limits (
    api_tier text    NOT NULL CHECK (api_tier IN ('free', 'premium', 'enterprise')),
    action   text    NOT NULL CHECK (action IN ('rating', 'vote', 'route')),
    per_hour integer NOT NULL CHECK (per_hour > 0),
    PRIMARY KEY (api_tier, action)
);
COMMENT ON TABLE diary.write_limits IS
    'Writes a user of a tier may make per rolling hour (a trip counts as one rating submission).';

INSERT INTO diary.write_limits (api_tier, action, per_hour) VALUES
    ('free', 'rating', 20), ('free', 'vote', 50), ('free', 'route', 100),
    ('premium', 'rating', 200), ('premium', 'vote', 500), ('premium', 'route', 1000),
    ('enterprise', 'rating', 2000), ('enterprise', 'vote', 5000), ('enterprise', 'route', 10000);

CREATE FUNCTION diary.setting(p_key text)
RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT value FROM diary.settings WHERE key = p_key
$$;
COMMENT ON FUNCTION diary.setting(text) IS 'A configuration value of diary.settings (NULL when unknown).';

COMMIT;
