-- Verify trafficsafety:diary/grants on pg
DO $$
BEGIN
    ASSERT has_table_privilege('web_user', 'diary.ratings', 'insert'), 'web_user cannot insert ratings';
    ASSERT has_table_privilege('web_anon', 'analytics.segment_aggregates', 'select'), 'web_anon cannot read aggregates';
    ASSERT has_function_privilege('web_user', 'diary.enforce_write_limit(uuid, text)', 'execute'), 'web_user cannot check limits';
    ASSERT has_function_privilege('analyst', 'diary.decay_weight(double precision, double precision)', 'execute'), 'analyst cannot call formulas';
END
$$;
