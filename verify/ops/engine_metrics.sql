-- Verify trafficsafety:ops/engine_metrics on pg
SELECT pending_minutes, processing_lag_seconds, newest_data_seconds, newest_index_seconds, hourly_watermark_seconds,
       daily_watermark_seconds, dirty_hours, dirty_days
FROM ops.engine_status() WHERE false;
SELECT batches_5m, received_5m, landed_5m, duplicates_5m, quarantined_5m, unassigned_5m, last_landed_seconds
FROM ops.landing_status() WHERE false;
SELECT reason, messages, messages_1h FROM ops.quarantine_by_reason() WHERE false;
SELECT jobname, active, runs_24h, failures_1h, failures_24h, last_failed, last_duration_seconds, max_duration_24h_seconds,
       last_start_seconds, last_success_seconds
FROM ops.cron_jobs() WHERE false;
SELECT parent, default_rows, partitions, days_ahead FROM ops.partitions() WHERE false;
