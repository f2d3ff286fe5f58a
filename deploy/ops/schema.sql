-- Deploy trafficsafety:ops/schema to pg
-- Operations: what the monitoring reads (design document §9.1). Private like tsi: only the
-- exporter's role (tsdb_monitor) and analysts enter it, never the REST API.
BEGIN;

CREATE SCHEMA ops AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA ops IS 'Operations: metrics of the engine, the database and the business for the Prometheus postgres exporter (db/monitoring/queries.yaml).';

COMMIT;
