-- Deploy trafficsafety:tsi/history to pg
-- One safety-index series of an intersection, routed by the length of the range (reference §4).
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- A named row type rather than RETURNS TABLE: the PL/pgSQL RPC api.intersection_history returns
-- it too, and PL/pgSQL refuses an output column named like its argument aggregation.
CREATE TYPE tsi.history_point AS (
    "timestamp" timestamptz, safety_index double precision, vru_index double precision,
    vehicle_index double precision, traffic_volume bigint, hour_of_day integer, day_of_week integer,
    aggregation text
);
COMMENT ON TYPE tsi.history_point IS
    'A row of an intersection''s safety-index series (tsi.intersection_history, api.intersection_history): see the function.';

CREATE FUNCTION tsi.intersection_history(
    intersection_id integer, start_time timestamptz, end_time timestamptz, aggregation text DEFAULT NULL
)
RETURNS SETOF tsi.history_point
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT h.*
    FROM (SELECT intersection_history.intersection_id AS intersection_id, start_time AS start_time, end_time AS end_time,
                 -- The routing rule of reference §4: range ≤ 2 days → minutes, ≤ 90 days → hours, else days.
                 coalesce(intersection_history.aggregation,
                          CASE WHEN end_time - start_time <= interval '2 days' THEN 'minute'
                               WHEN end_time - start_time <= interval '90 days' THEN 'hour'
                               ELSE 'day' END) AS aggregation
          -- the arguments' own checks first, then whether the intersection exists
          WHERE CASE WHEN tsi.check_argument(coalesce(
                    CASE WHEN intersection_history.intersection_id IS NULL THEN 'intersection_id must not be NULL' END,
                    CASE WHEN start_time IS NULL THEN 'start_time must not be NULL' END,
                    CASE WHEN end_time IS NULL THEN 'end_time must not be NULL' END,
                    CASE WHEN end_time <= start_time
                         THEN format('end_time must be later than start_time (got start_time %s, end_time %s)', start_time, end_time) END,
                    CASE WHEN intersection_history.aggregation NOT IN ('minute', 'hour', 'day')
                         THEN format('aggregation must be one of minute, hour, day (got %s)', intersection_history.aggregation) END))
                THEN tsi.check_argument(
                    CASE WHEN NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = intersection_history.intersection_id)
                         THEN format('intersection_id %s does not exist', intersection_history.intersection_id) END,
                    'P0002') END
          OFFSET 0) a
    CROSS JOIN LATERAL (
        SELECT m.timestamp, m.safety_index, m.vru_index, m.vehicle_index, m.traffic_volume::bigint,
               m.hour_of_day, m.day_of_week, a.aggregation
        FROM tsi.minute_indices m
        WHERE a.aggregation = 'minute' AND m.intersection_id = a.intersection_id
          AND m.timestamp >= a.start_time AND m.timestamp < a.end_time
        UNION ALL
        SELECT hr.hour_timestamp, hr.avg_si, hr.avg_vru_index, hr.avg_vehicle_index, hr.total_volume,
               hr.hour_of_day, hr.day_of_week, a.aggregation
        FROM tsi.safety_indices_hourly hr
        WHERE a.aggregation = 'hour' AND hr.intersection_id = a.intersection_id
          AND hr.hour_timestamp >= a.start_time AND hr.hour_timestamp < a.end_time
        UNION ALL
        SELECT day_start.midnight, d.avg_si, d.avg_vru_index, d.avg_vehicle_index, d.total_volume, 0, d.day_of_week, a.aggregation
        FROM tsi.intersections i
        JOIN tsi.safety_indices_daily d ON d.intersection_id = i.id
        CROSS JOIN LATERAL (SELECT d.date::timestamp AT TIME ZONE i.time_zone AS midnight) day_start
        WHERE a.aggregation = 'day' AND i.id = a.intersection_id
          -- the local days that can start in the range (keeps the index on date usable) …
          AND d.date BETWEEN (a.start_time AT TIME ZONE i.time_zone)::date AND (a.end_time AT TIME ZONE i.time_zone)::date
          -- … and exactly those whose local midnight does
          AND day_start.midnight >= a.start_time AND day_start.midnight < a.end_time
        ORDER BY 1
    ) h
    ORDER BY h.timestamp
$$;
COMMENT ON FUNCTION tsi.intersection_history(integer, timestamptz, timestamptz, text) IS
    'Safety-index series of one intersection, rows with start_time <= timestamp < end_time, ordered by timestamp. '
    'aggregation: ''minute'' (1-minute rows, kept 48 h), ''hour'' (hourly means, UTC hours, kept 90 days) or ''day'' (daily means per local calendar day; '
    'timestamp = the local midnight of the day in the intersection''s time zone, hour_of_day 0); NULL chooses by range length: '
    '≤ 2 days minute, ≤ 90 days hour, longer day. The aggregation used is returned in every row. '
    'Indices 0–100, higher = riskier (EB where present, raw otherwise); traffic_volume = vehicles in the minute, hour or day; '
    'hour_of_day 0–23 and day_of_week 0 = Monday … 6 = Sunday in local time. '
    'Errors: 22023 invalid_parameter_value for a NULL intersection_id, start_time or end_time, end_time <= start_time, or another aggregation; '
    'P0002 no_data_found when the intersection does not exist.';

COMMIT;
