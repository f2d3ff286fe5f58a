-- Deploy trafficsafety:api/tsi_views to pg
-- The safety-index tables as the REST API reads them (design document §5): security_invoker
-- views, so the caller's own privileges (api/tsi_grants) apply. Each view keeps the engine's
-- column names; PostgREST's filters, ordering and paging (limit/offset, Range) work on them
-- directly and reach the tables' indexes.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE VIEW api.intersections WITH (security_invoker = true) AS
SELECT i.id, i.name::text AS name, i.latitude, i.longitude, i.elevation, i.region, i.revision,
       i.lane_count, i.lane_width, i.time_zone, i.geometry
FROM tsi.intersections i;
COMMENT ON VIEW api.intersections IS
    'Signalised intersections of the V2X feed (one per MapData intersection id). latitude/longitude in degrees WGS84; '
    'geometry is the same point (SRID 4326): ask with "Accept: application/geo+json" for a GeoJSON FeatureCollection. '
    'time_zone is the IANA zone of local hour_of_day/day_of_week and daily rollups.';

-- The snapshot of tsi.latest_indices (refreshed after processing and every minute by pg_cron):
-- one read instead of a search per intersection, so the dashboard's most frequent request stays
-- cheap (and nginx caches it for a few seconds). last_updated and minutes_behind say how fresh
-- each row is.
CREATE VIEW api.latest_indices WITH (security_invoker = true) AS
SELECT s.intersection_id, s.intersection_name, s.safety_index, s.combined_index, s.vru_index, s.vehicle_index,
       s.traffic_volume, s.risk_band, s.last_updated, s.minutes_behind, s.latitude, s.longitude
FROM tsi.mv_current_safety_status s;
COMMENT ON VIEW api.latest_indices IS
    'Latest safety index of every intersection: its newest 1-minute row, however old (latest data, not wall clock), as of the last refresh of the '
    'current-status snapshot (every minute). Indices 0–100, higher = riskier; safety_index = Empirical-Bayes combined index (raw where EB is missing), '
    'combined_index = raw combined; vru_index and vehicle_index = EB (raw where EB is missing); risk_band low (< 60), medium (60–75), high (> 75); traffic_volume = vehicles in that minute; '
    'last_updated = the minute (UTC); minutes_behind = minutes from last_updated to the newest minute of the whole network (freshness). '
    'Intersections without data have NULL indices. (No geometry column: converting 1 000 points to JSON cost more than the rest '
    'of the request; GeoJSON of the points is /intersections.)';

COMMENT ON COLUMN api.latest_indices.safety_index IS 'EB: Empirical-Bayes combined index 0–100 (raw combined where EB is missing).';
COMMENT ON COLUMN api.latest_indices.combined_index IS 'Raw: combined index 0–100 before Empirical-Bayes adjustment.';
COMMENT ON COLUMN api.latest_indices.vru_index IS 'EB: Empirical-Bayes VRU index 0–100 (raw where EB is missing).';
COMMENT ON COLUMN api.latest_indices.vehicle_index IS 'EB: Empirical-Bayes vehicle index 0–100 (raw where EB is missing).';

-- A view of a materialized view is not automatically updatable, and PostgreSQL reports that (SQLSTATE 55000, HTTP 500)
-- before it checks privileges. With INSTEAD OF triggers the view counts as updatable, so a
-- write is refused for want of privilege (42501, HTTP 401/403) like on the other views; the
-- trigger itself only runs for a role granted writes, which none is.
CREATE FUNCTION tsi.refuse_write()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = format('%s is read-only', TG_TABLE_NAME);
END
$$;
COMMENT ON FUNCTION tsi.refuse_write() IS 'INSTEAD OF trigger of read-only api views that join tables: refuses every write.';

CREATE TRIGGER latest_indices_read_only
    INSTEAD OF INSERT OR UPDATE OR DELETE ON api.latest_indices
    FOR EACH ROW EXECUTE FUNCTION tsi.refuse_write();

CREATE VIEW api.safety_indices_hourly WITH (security_invoker = true) AS
SELECT h.intersection_id, h.hour_timestamp, h.avg_si, h.min_si, h.max_si, h.std_si,
       h.total_volume, h.avg_volume, h.high_risk_minutes, h.data_quality_score,
       h.avg_vru_index, h.avg_vehicle_index, h.minutes_with_data, h.hour_of_day, h.day_of_week
FROM tsi.safety_indices_hourly h;
COMMENT ON VIEW api.safety_indices_hourly IS
    'Hourly rollups of the 1-minute indices per intersection (UTC hours, kept 90 days). Filter e.g. '
    '?intersection_id=eq.156&hour_timestamp=gte.2026-11-01&order=hour_timestamp&limit=168; page with limit/offset or a Range header, '
    'and ask counts with "Prefer: count=planned" (estimated) rather than count=exact. avg_si/min_si/max_si = EB combined index 0–100; '
    'high_risk_minutes = minutes > 75; data_quality_score = minutes with data / 60; hour_of_day and day_of_week (0 = Monday) local.';

CREATE VIEW api.safety_indices_daily WITH (security_invoker = true) AS
SELECT d.intersection_id, d.date, d.avg_si, d.min_si, d.max_si, d.std_si, d.total_volume, d.avg_volume,
       d.high_risk_hours, d.peak_hour, d.peak_si, d.avg_vru_index, d.avg_vehicle_index, d.hours_with_data, d.day_of_week
FROM tsi.safety_indices_daily d;
COMMENT ON VIEW api.safety_indices_daily IS
    'Daily rollups per intersection and local calendar day (kept indefinitely). Filter e.g. ?intersection_id=eq.156&date=gte.2026-01-01&order=date; '
    'page with limit/offset or Range; "Prefer: count=planned" for an estimated total. peak_hour = local hour of the highest hourly mean (peak_si); '
    'high_risk_hours = hours whose mean > 75; day_of_week 0 = Monday.';

CREATE VIEW api.data_quality_events WITH (security_invoker = true) AS
SELECT q.id, q.timestamp, q.data_time, q.intersection_id, q.issue_type, q.severity, q.message, q.metadata
FROM tsi.data_quality_log q;
COMMENT ON VIEW api.data_quality_events IS
    'Data-quality events of the engine (silent intersections, sparse minutes, quarantined or unassigned messages, stale or bootstrapped constants, …). '
    'Recent first: ?order=timestamp.desc&limit=50; filter by intersection_id, issue_type, severity (info, warning, error, critical) or timestamp. '
    'timestamp = when logged; data_time = start of the period of data concerned.';

COMMIT;
