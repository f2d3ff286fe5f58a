-- Deploy trafficsafety:diary/grants to pg
-- What the REST roles may touch underneath the api schema (the api functions are SECURITY
-- INVOKER, so row-level security applies to them), and what analysts may call.
BEGIN;

GRANT USAGE ON SCHEMA diary, analytics, auth TO web_anon, web_user;
GRANT USAGE ON SCHEMA diary, analytics TO analyst;

GRANT SELECT ON diary.segments, diary.tags, diary.settings, diary.write_limits TO web_anon, web_user;
GRANT SELECT ON diary.routes TO web_anon, web_user;
GRANT INSERT, DELETE ON diary.routes TO web_user;
GRANT UPDATE (route_name, is_public) ON diary.routes TO web_user;
GRANT SELECT, INSERT ON diary.ratings, diary.votes TO web_user;
GRANT SELECT (user_id, email, display_name, avatar_url, is_active, email_verified, created_at, last_login_at, api_tier)
    ON auth.users TO web_user;
GRANT UPDATE (display_name, avatar_url), DELETE ON auth.users TO web_user;
-- Aggregates are public (the view reads ratings as its owner).
GRANT SELECT ON analytics.segment_aggregates TO web_anon, web_user;

GRANT EXECUTE ON FUNCTION
    diary.decay_weight(double precision, double precision),
    diary.shrink(numeric, numeric, numeric, numeric),
    diary.confidence(numeric, numeric),
    diary.window_delta(numeric, numeric),
    diary.implicit_rating(text, numeric),
    diary.calculate_segment_cost(numeric, numeric, numeric),
    diary.safety_weight(text),
    diary.percentage(bigint, bigint),
    diary.span_hours(timestamptz, integer),
    diary.setting(text)
TO web_anon, web_user, analyst;

GRANT EXECUTE ON FUNCTION
    auth.current_user_id(),
    diary.invalid(text, text),
    diary.not_found(text, text),
    diary.bbox_envelope(text),
    diary.check_between(text, numeric, numeric, numeric)
TO web_anon, web_user;

GRANT EXECUTE ON FUNCTION
    diary.require_user(),
    diary.require_segment(text),
    diary.check_tags(text[]),
    diary.check_rating_fields(integer, text[], text, timestamptz, text, text),
    diary.enforce_write_limit(uuid, text)
TO web_user;

COMMIT;
