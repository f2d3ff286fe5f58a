-- Deploy trafficsafety:tsi/latest_indices to pg
-- The indices as served, and the latest of them: each written once here. The current-status
-- snapshot (tsi/current_status) stores tsi.latest_indices(), and every API reader of "the
-- latest index" (api.latest_indices, the legacy endpoints, the spatial searches) reads that
-- snapshot, so they all give the same numbers for the same minute.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE VIEW tsi.minute_indices AS
SELECT r.intersection_id,
       r.timestamp,
       coalesce(r.combined_index_eb, r.combined_index) AS safety_index,
       r.combined_index,
       coalesce(r.vru_index_eb, r.vru_index) AS vru_index,
       coalesce(r.vehicle_index_eb, r.vehicle_index) AS vehicle_index,
       r.traffic_volume,
       r.hour_of_day,
       r.day_of_week
FROM tsi.safety_indices_realtime r;
COMMENT ON VIEW tsi.minute_indices IS
    'The 1-minute indices as served (0–100, higher = riskier): safety_index, vru_index and vehicle_index are the Empirical-Bayes values, '
    'the raw ones where EB is NULL; combined_index is the raw combined index. A plain view of tsi.safety_indices_realtime: '
    'filters on intersection_id and timestamp reach its primary key and partitions.';
COMMENT ON COLUMN tsi.minute_indices.safety_index IS 'EB: Empirical-Bayes combined index (combined_index_eb), raw combined where EB is NULL.';
COMMENT ON COLUMN tsi.minute_indices.combined_index IS 'Raw: combined index before Empirical-Bayes adjustment.';
COMMENT ON COLUMN tsi.minute_indices.vru_index IS 'EB: Empirical-Bayes VRU index (vru_index_eb), raw where EB is NULL.';
COMMENT ON COLUMN tsi.minute_indices.vehicle_index IS 'EB: Empirical-Bayes vehicle index (vehicle_index_eb), raw where EB is NULL.';
COMMENT ON COLUMN tsi.minute_indices.traffic_volume IS 'Vehicles in the minute.';

-- Latest means the newest row of the data, never the wall clock minus an offset (trap 10).
CREATE FUNCTION tsi.latest_indices()
RETURNS TABLE (
    intersection_id integer, intersection_name text,
    safety_index double precision, combined_index double precision,
    vru_index double precision, vehicle_index double precision, traffic_volume integer,
    risk_band text, last_updated timestamptz, minutes_behind double precision,
    latitude double precision, longitude double precision
)
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    -- Set-based for all intersections at once: a backwards probe per intersection into every
    -- partition cost 45 ms for 1 000 of them. The network's last two minutes are read once and
    -- give the newest row of every intersection with data in them (none can be newer); only the
    -- others are probed along the primary key (pgTAP 130 checks this against a probe of each).
    WITH newest AS (
        SELECT max(s.timestamp) AS ts FROM tsi.safety_indices_realtime s
    ), recent AS (
        SELECT DISTINCT ON (m.intersection_id) m.*
        FROM tsi.minute_indices m
        WHERE m.timestamp > (SELECT ts FROM newest) - interval '2 minutes'
        ORDER BY m.intersection_id, m.timestamp DESC
    )
    SELECT l.id, l.name, l.safety_index, l.combined_index, l.vru_index, l.vehicle_index, l.traffic_volume,
           tsi.risk_band(l.safety_index, tsi.formula_at(l.ts)), l.ts,
           extract(epoch FROM (SELECT ts FROM newest) - l.ts) / 60, l.latitude, l.longitude
    FROM (
        SELECT i.id, i.name::text AS name, i.latitude, i.longitude,
               -- r and o exclude each other: one of them is all NULL
               coalesce(r.safety_index, o.safety_index) AS safety_index,
               coalesce(r.combined_index, o.combined_index) AS combined_index,
               coalesce(r.vru_index, o.vru_index) AS vru_index,
               coalesce(r.vehicle_index, o.vehicle_index) AS vehicle_index,
               coalesce(r.traffic_volume, o.traffic_volume) AS traffic_volume,
               coalesce(r.timestamp, o.timestamp) AS ts
        FROM tsi.intersections i
        LEFT JOIN recent r ON r.intersection_id = i.id
        LEFT JOIN LATERAL (
            SELECT * FROM tsi.minute_indices m
            WHERE r.intersection_id IS NULL AND m.intersection_id = i.id
            ORDER BY m.timestamp DESC LIMIT 1
        ) o ON true
    ) l
    ORDER BY l.id
$$;
COMMENT ON FUNCTION tsi.latest_indices() IS
    'The one definition of the latest index of every intersection, ordered by intersection_id: its newest row of tsi.minute_indices, however old '
    '(latest data, not wall clock). Indices 0–100, higher = riskier; safety_index = EB combined index (raw combined where EB is NULL), '
    'combined_index = raw combined index, vru_index and vehicle_index = EB (raw where EB is NULL); traffic_volume = vehicles in that minute; '
    'risk_band of safety_index under the formula of that minute; last_updated = the minute (UTC); '
    'minutes_behind = minutes from last_updated to the newest minute of the whole network (data freshness relative to the data). '
    'An intersection without data has NULL indices, risk_band, last_updated and minutes_behind. '
    'Computed live; tsi.mv_current_safety_status is its snapshot, which the API reads.';

COMMIT;
