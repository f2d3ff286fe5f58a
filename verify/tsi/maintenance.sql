-- Verify trafficsafety:tsi/maintenance on pg
SELECT has_function_privilege('tsi.maintain_partitions(timestamptz, integer, integer)', 'execute'),
       has_function_privilege('tsi.partition_droppable(regclass, date, interval, text, timestamptz)', 'execute');
SELECT parent, partition, day, keep, drop_rule FROM tsi.daily_partitions WHERE false;
