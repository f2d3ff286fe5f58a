-- Deploy trafficsafety:diary/grants to pg
-- The REST roles enter no schema but api. Its security_invoker views still need SELECT on the
-- tables they show (row-level security then filters the rows) and EXECUTE on the function the
-- policies call; everything else they reach through SECURITY DEFINER functions of the api.
-- Analysts read the data schemas (default privileges) and may call the formulas.
BEGIN;

GRANT SELECT ON diary.tags, diary.routes TO web_anon, web_user;
GRANT SELECT ON diary.ratings, diary.votes TO web_user;
GRANT SELECT (user_id, email, display_name, avatar_url, is_active, email_verified, created_at, last_login_at, api_tier)
    ON auth.users TO web_user;
GRANT EXECUTE ON FUNCTION auth.current_user_id() TO web_anon, web_user;

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
TO analyst;

COMMIT;
