-- Verify trafficsafety:tsi/history on pg
SELECT (p).timestamp, (p).safety_index, (p).vru_index, (p).vehicle_index, (p).traffic_volume, (p).hour_of_day, (p).day_of_week, (p).aggregation
FROM (SELECT NULL::tsi.history_point AS p) t WHERE false;
SELECT has_function_privilege('tsi.intersection_history(integer, timestamptz, timestamptz, text)', 'execute');
