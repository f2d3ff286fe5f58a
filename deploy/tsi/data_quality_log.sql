-- Deploy trafficsafety:tsi/data_quality_log to pg
-- Design document §3.1, plus the time of the data concerned (not only of logging), so that
-- a check run twice over the same data logs its finding once.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.data_quality_log (
    id              bigserial PRIMARY KEY,
    timestamp       timestamptz NOT NULL DEFAULT now(),
    intersection_id integer REFERENCES tsi.intersections (id) ON DELETE CASCADE,
    issue_type      varchar(50) NOT NULL,
    severity        varchar(20) NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    message         text NOT NULL,
    metadata        jsonb,
    data_time       timestamptz
);

COMMENT ON TABLE tsi.data_quality_log IS 'Data-quality events: silent intersections, sparse minutes, quarantined and unassigned messages, stale or bootstrapped constants.';
COMMENT ON COLUMN tsi.data_quality_log.timestamp IS 'When the event was logged.';
COMMENT ON COLUMN tsi.data_quality_log.issue_type IS
    'silent_intersection, sparse_minute, quarantined_messages, unassigned_messages, stale_constants, constants_bootstrap, default_partition_rows, …';
COMMENT ON COLUMN tsi.data_quality_log.data_time IS 'Start of the period of data the event is about (minute, hour or day), when there is one.';

CREATE INDEX idx_dql_timestamp ON tsi.data_quality_log (timestamp DESC);
CREATE INDEX idx_dql_intersection ON tsi.data_quality_log (intersection_id, timestamp DESC);
CREATE UNIQUE INDEX idx_dql_once ON tsi.data_quality_log (issue_type, coalesce(intersection_id, -1), data_time)
    WHERE data_time IS NOT NULL;

COMMIT;
