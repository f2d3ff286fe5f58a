-- Verify trafficsafety:diary/grants on pg
DO $$
BEGIN
    ASSERT has_table_privilege('web_user', 'diary.ratings', 'select'), 'web_user cannot read (own) ratings';
    ASSERT has_table_privilege('web_anon', 'diary.routes', 'select'), 'web_anon cannot read (public) routes';
    ASSERT has_function_privilege('web_anon', 'auth.current_user_id()', 'execute'), 'policies cannot run for web_anon';
    ASSERT has_function_privilege('analyst', 'diary.decay_weight(double precision, double precision)', 'execute'), 'analyst cannot call formulas';
END
$$;
