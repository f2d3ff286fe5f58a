-- Revert trafficsafety:diary/grants from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION
    diary.require_user(), diary.require_segment(text), diary.check_tags(text[]),
    diary.check_rating_fields(integer, text[], text, timestamptz, text, text), diary.enforce_write_limit(uuid, text)
FROM web_user;
REVOKE EXECUTE ON FUNCTION
    auth.current_user_id(), diary.invalid(text, text), diary.not_found(text, text), diary.bbox_envelope(text),
    diary.check_between(text, numeric, numeric, numeric)
FROM web_anon, web_user;
REVOKE EXECUTE ON FUNCTION
    diary.decay_weight(double precision, double precision), diary.shrink(numeric, numeric, numeric, numeric),
    diary.confidence(numeric, numeric), diary.window_delta(numeric, numeric), diary.implicit_rating(text, numeric),
    diary.calculate_segment_cost(numeric, numeric, numeric), diary.safety_weight(text),
    diary.percentage(bigint, bigint), diary.span_hours(timestamptz, integer), diary.setting(text)
FROM web_anon, web_user, analyst;
REVOKE SELECT ON analytics.segment_aggregates FROM web_anon, web_user;
REVOKE ALL ON auth.users FROM web_user;
REVOKE ALL ON diary.ratings, diary.votes, diary.routes FROM web_anon, web_user;
REVOKE ALL ON diary.segments, diary.tags, diary.settings, diary.write_limits FROM web_anon, web_user;
REVOKE USAGE ON SCHEMA diary, analytics FROM analyst;
REVOKE USAGE ON SCHEMA diary, analytics, auth FROM web_anon, web_user;

COMMIT;
