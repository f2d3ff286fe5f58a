-- Verify trafficsafety:tsi/data_quality on pg
SELECT has_function_privilege('tsi.check_data_quality(timestamptz, integer)', 'execute'),
       has_function_privilege('tsi.refresh_constants(timestamptz)', 'execute'),
       has_function_privilege('tsi.prune_job_history(timestamptz, integer)', 'execute');
SELECT parent, default_partition, row_count FROM tsi.default_partition_rows WHERE false;
SELECT newest_data, newest_index, pending_minutes, oldest_pending_minute, processing_lag_seconds, hourly_watermark,
       daily_watermark, default_partition_rows, failed_job_runs_24h, intersections
FROM tsi.health WHERE false;
