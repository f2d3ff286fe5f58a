-- Deploy trafficsafety:ops/database_metrics to pg
-- The database's own health (design document §9.1): sizes and their growth, cache and index hit
-- ratios, dead tuples, connections. Views, not SECURITY DEFINER functions: the statistics views
-- show other sessions' details to members of pg_monitor, which the exporter's role is.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- A partitioned table counts with all its partitions, under the parent's name.
CREATE VIEW ops.table_stats AS
SELECT n.nspname::text AS schema,
       coalesce(root.relname, c.relname)::text AS table_name,
       sum(pg_table_size(c.oid))::bigint AS table_bytes,
       sum(pg_indexes_size(c.oid))::bigint AS index_bytes,
       sum(coalesce(s.n_live_tup, 0))::bigint AS live_tuples,
       sum(coalesce(s.n_dead_tup, 0))::bigint AS dead_tuples,
       sum(coalesce(s.seq_scan, 0))::bigint AS seq_scans,
       sum(coalesce(s.idx_scan, 0))::bigint AS index_scans,
       sum(coalesce(io.heap_blks_hit, 0))::bigint AS heap_blocks_hit,
       sum(coalesce(io.heap_blks_read, 0))::bigint AS heap_blocks_read,
       sum(coalesce(io.idx_blks_hit, 0))::bigint AS index_blocks_hit,
       sum(coalesce(io.idx_blks_read, 0))::bigint AS index_blocks_read,
       extract(epoch FROM max(greatest(s.last_autovacuum, s.last_vacuum)))::float8 AS last_vacuum_seconds
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_class AS root ON root.oid = pg_partition_root(c.oid) AND root.oid <> c.oid
LEFT JOIN pg_stat_user_tables AS s ON s.relid = c.oid
LEFT JOIN pg_statio_user_tables AS io ON io.relid = c.oid
WHERE n.nspname IN ('tsi', 'diary', 'auth', 'analytics', 'audit', 'cron')
  AND c.relkind IN ('r', 'm')
GROUP BY 1, 2;
COMMENT ON VIEW ops.table_stats IS
    'Each table and materialized view of the data schemas (a partitioned table with all its partitions): bytes of data (with TOAST) and of '
    'indexes, live and dead tuples, sequential and index scans, heap and index blocks found in the buffer cache (hit) or read, last vacuum (Unix seconds).';

CREATE VIEW ops.database_stats AS
SELECT pg_database_size(d.datid)::bigint AS size_bytes,
       d.blks_hit::bigint AS blocks_hit,
       d.blks_read::bigint AS blocks_read,
       coalesce(d.blks_hit::float8 / nullif(d.blks_hit + d.blks_read, 0), 1) AS cache_hit_ratio,
       coalesce((SELECT sum(idx_blks_hit)::float8 / nullif(sum(idx_blks_hit + idx_blks_read), 0) FROM pg_statio_user_indexes), 1)
           AS index_hit_ratio,
       coalesce((SELECT sum(idx_scan)::float8 / nullif(sum(idx_scan + seq_scan), 0) FROM pg_stat_user_tables), 1)
           AS index_scan_ratio,
       d.xact_commit::bigint AS commits, d.xact_rollback::bigint AS rollbacks,
       d.deadlocks::bigint AS deadlocks, d.temp_bytes::bigint AS temp_bytes,
       current_setting('max_connections')::integer AS max_connections,
       (current_setting('ssl') = 'on')::integer AS ssl
FROM pg_stat_database AS d
WHERE d.datname = current_database();
COMMENT ON VIEW ops.database_stats IS
    'This database: size, buffer-cache blocks hit and read, the cache hit ratio (blocks found in the cache), the index hit ratio (index blocks '
    'found in the cache), the index scan ratio (scans that used an index), commits, rollbacks, deadlocks, temporary bytes (counters since the '
    'statistics reset), max_connections, and whether the server accepts TLS (1) or not (0).';

CREATE VIEW ops.connections AS
SELECT coalesce(a.usename::text, a.backend_type) AS role, coalesce(a.state, 'none') AS state, count(*) AS connections,
       coalesce(max(extract(epoch FROM now() - a.xact_start)), 0)::float8 AS oldest_transaction_seconds
FROM pg_stat_activity AS a
WHERE a.backend_type = 'client backend' OR a.backend_type LIKE 'pg_cron%'
GROUP BY 1, 2;
COMMENT ON VIEW ops.connections IS
    'Connections to the whole server by role and state (active, idle, idle in transaction…; pg_cron''s own backends by their type), and the age '
    'of the oldest open transaction among them (seconds).';

COMMIT;
