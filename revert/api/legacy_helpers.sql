-- Revert trafficsafety:api/legacy_helpers from pg
BEGIN;

DROP FUNCTION tsi.legacy_history_document(integer, timestamptz, timestamptz, text, text);
DROP FUNCTION tsi.legacy_aggregation(text, integer);
DROP FUNCTION tsi.legacy_window(integer, integer, date, date, integer);
DROP FUNCTION tsi.legacy_missing_problem(text, text, text);
DROP FUNCTION tsi.legacy_pattern_problem(text, text, text, text);
DROP FUNCTION tsi.legacy_date_problem(text, text, text);
DROP FUNCTION tsi.legacy_number_problem(text, text, text, double precision, double precision);
DROP FUNCTION tsi.legacy_integer_problem(text, text, text, integer, integer);
DROP FUNCTION tsi.legacy_validation(jsonb[]);
DROP FUNCTION tsi.legacy_problem(text, text, text, text, text, jsonb);
DROP FUNCTION tsi.legacy_answer(integer, jsonb);

COMMIT;
