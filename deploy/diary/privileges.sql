-- Deploy trafficsafety:diary/privileges to pg
-- Who may do what in the diary's data schemas (diary, auth, analytics, audit). Analysts read
-- diary and analytics through the default privileges of core/privileges (not auth: password
-- hashes; not audit: personal data) and may call the formulas to explain a score. The API
-- roles' grants are in api/privileges, the row-level security in diary/policies.
BEGIN;

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
