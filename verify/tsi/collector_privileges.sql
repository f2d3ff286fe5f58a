-- Verify trafficsafety:tsi/collector_privileges on pg
DO $$
BEGIN
    IF NOT has_function_privilege('collector', 'tsi.land_typed_begin()', 'EXECUTE')
       OR NOT has_function_privilege('collector', 'tsi.typed_refused()', 'EXECUTE')
       OR NOT has_function_privilege('collector', 'tsi.epoch_ms_to_timestamptz(bigint)', 'EXECUTE')
       OR NOT has_function_privilege('collector', 'tsi.land_typed(uuid, integer, integer, integer, integer, integer)', 'EXECUTE') THEN
        RAISE EXCEPTION 'the collector may not land typed batches';
    END IF;
    IF NOT has_table_privilege('collector', 'tsi.archive_check_staging', 'INSERT')
       OR NOT has_function_privilege('collector', 'tsi.check_archive_consistency(uuid, timestamptz, timestamptz)', 'EXECUTE') THEN
        RAISE EXCEPTION 'the collector may not run the archive consistency check';
    END IF;
END
$$;
