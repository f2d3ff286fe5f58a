-- Verify trafficsafety:api/tsi_grants on pg
DO $$
BEGIN
    IF NOT has_table_privilege('web_anon', 'api.latest_indices', 'select')
       OR NOT has_table_privilege('web_anon', 'tsi.safety_indices_hourly', 'select')
       OR NOT has_function_privilege('web_anon', 'api.intersection_history(integer, timestamptz, timestamptz, text)', 'execute')
       OR NOT has_function_privilege('web_user', 'api.legacy_safety_history(integer, integer, date, date, text)', 'execute')
       OR NOT has_table_privilege('web_anon', 'tsi.mv_current_safety_status', 'select') THEN
        RAISE EXCEPTION 'web_anon and web_user cannot read the safety-index API';
    END IF;
END
$$;
