-- Verify trafficsafety:tsi/data_quality_log on pg
SELECT id, timestamp, intersection_id, issue_type, severity, message, metadata, data_time
FROM tsi.data_quality_log WHERE false;
