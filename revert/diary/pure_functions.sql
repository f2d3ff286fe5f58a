-- Revert trafficsafety:diary/pure_functions from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.touch_updated_at();
DROP FUNCTION diary.span_hours(timestamptz, integer);
DROP FUNCTION diary.percentage(bigint, bigint);
DROP FUNCTION diary.safety_weight(text);
DROP FUNCTION diary.calculate_segment_cost(numeric, numeric, numeric);
DROP FUNCTION diary.implicit_rating(text, numeric);
DROP FUNCTION diary.window_delta(numeric, numeric);
DROP FUNCTION diary.confidence(numeric, numeric);
DROP FUNCTION diary.shrink(numeric, numeric, numeric, numeric);
DROP FUNCTION diary.decay_weight(double precision, double precision);

COMMIT;
