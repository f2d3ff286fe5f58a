-- Verify trafficsafety:tsi/history_stats on pg
SELECT (s).period_start, (s).period_end, (s).intervals, (s).avg_safety_index, (s).min_safety_index, (s).max_safety_index,
       (s).std_safety_index, (s).total_traffic_volume, (s).avg_traffic_volume, (s).high_risk_intervals
FROM (SELECT NULL::tsi.interval_stats AS s) t WHERE false;
SELECT has_function_privilege('tsi.intersection_stats(integer, timestamptz, timestamptz)', 'execute');
