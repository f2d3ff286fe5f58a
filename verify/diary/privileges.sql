-- Verify trafficsafety:diary/privileges on pg
DO $$
BEGIN
    IF NOT has_function_privilege('analyst', 'diary.decay_weight(double precision, double precision)', 'execute')
       OR NOT has_function_privilege('analyst', 'diary.setting(text)', 'execute') THEN
        RAISE EXCEPTION 'analyst cannot call the diary formulas';
    END IF;
END
$$;
