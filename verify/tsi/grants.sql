-- Verify trafficsafety:tsi/grants on pg
DO $$
BEGIN
    IF NOT has_table_privilege('collector', 'tsi.message_staging', 'INSERT')
       OR NOT has_function_privilege('collector', 'tsi.land_batch(uuid, integer, integer, integer, integer, integer)', 'EXECUTE') THEN
        RAISE EXCEPTION 'the collector cannot land batches';
    END IF;
    IF NOT has_function_privilege('analyst', 'tsi.local_hour(timestamptz, text)', 'EXECUTE')
       OR NOT has_table_privilege('analyst', 'tsi.health', 'SELECT') THEN
        RAISE EXCEPTION 'analyst lacks the tsi read grants';
    END IF;
END
$$;
