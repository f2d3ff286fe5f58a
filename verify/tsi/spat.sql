-- Verify trafficsafety:tsi/spat on pg
SELECT spat_time, intersection_id, revision, received_at, states FROM tsi.spat_messages WHERE false;
SELECT has_function_privilege('tsi.check_spat(jsonb)', 'execute'),
       has_function_privilege('tsi.spat_time(bigint, bigint, timestamptz)', 'execute');
