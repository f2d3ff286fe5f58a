-- Verify trafficsafety:api/privileges on pg
DO $$
BEGIN
    IF NOT has_function_privilege('web_anon', 'api.health()', 'execute')
       OR NOT has_table_privilege('web_anon', 'api.latest_indices', 'select')
       OR NOT has_table_privilege('web_anon', 'tsi.mv_current_safety_status', 'select')
       OR NOT has_table_privilege('web_anon', 'tsi.safety_indices_hourly', 'select')
       OR NOT has_function_privilege('web_anon', 'api.intersection_history(integer, timestamptz, timestamptz, text)', 'execute')
       OR NOT has_function_privilege('web_user', 'api.legacy_safety_history(integer, integer, date, date, text)', 'execute') THEN
        RAISE EXCEPTION 'web_anon and web_user cannot read the safety-index API';
    END IF;
    IF NOT has_function_privilege('web_anon', 'api.sign_up(text, text, text)', 'execute')
       OR NOT has_function_privilege('web_anon', 'api.segments(text, numeric, timestamptz)', 'execute')
       OR NOT has_function_privilege('web_anon', 'api.coverage(text, numeric)', 'execute')
       OR NOT has_function_privilege('web_anon', 'api.route_trend(uuid, integer)', 'execute')
       OR NOT has_table_privilege('web_anon', 'diary.routes', 'select')
       OR NOT has_function_privilege('web_anon', 'auth.current_user_id()', 'execute') THEN
        RAISE EXCEPTION 'anonymous callers cannot read the diary, sign up or log in';
    END IF;
    IF NOT has_function_privilege('web_user', 'api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid)', 'execute')
       OR NOT has_function_privilege('web_user', 'api.route(numeric[], numeric[], text, numeric, boolean)', 'execute')
       OR NOT has_table_privilege('web_user', 'api.my_ratings', 'select')
       OR NOT has_table_privilege('web_user', 'diary.ratings', 'select') THEN
        RAISE EXCEPTION 'logged-in users cannot rate, route or read their ratings';
    END IF;
    IF has_function_privilege('web_anon', 'api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid)', 'execute') THEN
        RAISE EXCEPTION 'anonymous callers may rate';
    END IF;
END
$$;
