-- Revert trafficsafety:diary/privileges from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION
    diary.decay_weight(double precision, double precision), diary.shrink(numeric, numeric, numeric, numeric),
    diary.confidence(numeric, numeric), diary.window_delta(numeric, numeric), diary.implicit_rating(text, numeric),
    diary.calculate_segment_cost(numeric, numeric, numeric), diary.safety_weight(text),
    diary.percentage(bigint, bigint), diary.span_hours(timestamptz, integer), diary.setting(text)
FROM analyst;

COMMIT;
