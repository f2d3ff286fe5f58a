-- Verify trafficsafety:tsi/partitioning on pg
SELECT parent, keep, premake_days, drop_rule FROM tsi.partition_policy WHERE false;
SELECT has_function_privilege('tsi.create_daily_partitions(regclass, date, date)', 'execute'),
       has_function_privilege('tsi.partition_name(regclass, date)', 'execute');
