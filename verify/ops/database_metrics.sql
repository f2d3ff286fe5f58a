-- Verify trafficsafety:ops/database_metrics on pg
SELECT schema, table_name, table_bytes, index_bytes, live_tuples, dead_tuples, seq_scans, index_scans, heap_blocks_hit,
       heap_blocks_read, index_blocks_hit, index_blocks_read, last_vacuum_seconds
FROM ops.table_stats WHERE false;
SELECT size_bytes, blocks_hit, blocks_read, cache_hit_ratio, index_hit_ratio, index_scan_ratio, commits, rollbacks, deadlocks,
       temp_bytes, max_connections, ssl
FROM ops.database_stats WHERE false;
SELECT role, state, connections, oldest_transaction_seconds FROM ops.connections WHERE false;
