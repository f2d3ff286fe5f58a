-- Verify trafficsafety:tsi/message_validation on pg
SELECT has_function_privilege('tsi.check_bsm(jsonb, timestamptz)', 'execute'),
       has_function_privilege('tsi.check_psm(jsonb, timestamptz)', 'execute'),
       has_function_privilege('tsi.check_mapdata(jsonb)', 'execute'),
       has_function_privilege('tsi.read_v2x(text, jsonb, timestamptz)', 'execute'),
       has_function_privilege('tsi.json_number(jsonb)', 'execute'),
       has_function_privilege('tsi.json_integer(jsonb)', 'execute'),
       has_function_privilege('tsi.json_int4(jsonb)', 'execute'),
       has_function_privilege('tsi.epoch_ms_to_timestamptz(bigint)', 'execute');
