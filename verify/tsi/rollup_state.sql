-- Verify trafficsafety:tsi/rollup_state on pg
SELECT 1 / (count(*) = 2)::int FROM tsi.rollup_watermarks;
SELECT intersection_id, hour_timestamp FROM tsi.dirty_hours WHERE false;
SELECT intersection_id, date FROM tsi.dirty_days WHERE false;
