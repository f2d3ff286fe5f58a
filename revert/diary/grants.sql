-- Revert trafficsafety:diary/grants from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION
    diary.decay_weight(double precision, double precision), diary.shrink(numeric, numeric, numeric, numeric),
    diary.confidence(numeric, numeric), diary.window_delta(numeric, numeric), diary.implicit_rating(text, numeric),
    diary.calculate_segment_cost(numeric, numeric, numeric), diary.safety_weight(text),
    diary.percentage(bigint, bigint), diary.span_hours(timestamptz, integer), diary.setting(text)
FROM analyst;
REVOKE EXECUTE ON FUNCTION auth.current_user_id() FROM web_anon, web_user;
REVOKE ALL ON auth.users FROM web_user;
REVOKE ALL ON diary.ratings, diary.votes FROM web_user;
REVOKE ALL ON diary.tags, diary.routes FROM web_anon, web_user;

COMMIT;
