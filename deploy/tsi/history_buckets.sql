-- Deploy trafficsafety:tsi/history_buckets to pg
-- Weekly and monthly buckets of an intersection's safety-index series: the old dashboard's
-- aggregation levels 1week and 1month (api/legacy). Real calendar buckets of the intersection's
-- local time (ISO weeks from Monday 00:00, months from the 1st), built from local days: the daily
-- rollup of a closed day, else the hourly rows of that day (today, or a day not rolled up yet).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION tsi.intersection_history_buckets(
    intersection_id integer, start_time timestamptz, end_time timestamptz, bucket text
)
RETURNS SETOF tsi.history_point
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT b.*
    FROM (SELECT intersection_history_buckets.intersection_id AS id, start_time AS start_time, end_time AS end_time,
                 intersection_history_buckets.bucket AS bucket
          -- the arguments' own checks first, then whether the intersection exists (tsi/query_arguments)
          WHERE CASE WHEN tsi.check_argument(coalesce(
                    CASE WHEN intersection_history_buckets.intersection_id IS NULL THEN 'intersection_id must not be NULL' END,
                    CASE WHEN start_time IS NULL THEN 'start_time must not be NULL' END,
                    CASE WHEN end_time IS NULL THEN 'end_time must not be NULL' END,
                    CASE WHEN end_time <= start_time
                         THEN format('end_time must be later than start_time (got start_time %s, end_time %s)', start_time, end_time) END,
                    CASE WHEN intersection_history_buckets.bucket IS NULL OR intersection_history_buckets.bucket NOT IN ('week', 'month')
                         THEN format('bucket must be week or month (got %s)', coalesce(intersection_history_buckets.bucket, 'NULL')) END))
                THEN tsi.check_argument(
                    CASE WHEN NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = intersection_history_buckets.intersection_id)
                         THEN format('intersection_id %s does not exist', intersection_history_buckets.intersection_id) END,
                    'P0002') END
          OFFSET 0) a
    JOIN tsi.intersections i ON i.id = a.id
    CROSS JOIN LATERAL (
        WITH hours AS (
            -- hourly rows that start in the range, by local day
            SELECT (hr.hour_timestamp AT TIME ZONE i.time_zone)::date AS day,
                   sum(hr.minutes_with_data * hr.avg_si) / sum(hr.minutes_with_data) AS si,
                   sum(hr.minutes_with_data * hr.avg_vru_index) / nullif(sum(hr.minutes_with_data) FILTER (WHERE hr.avg_vru_index IS NOT NULL), 0) AS vru,
                   sum(hr.minutes_with_data * hr.avg_vehicle_index) / nullif(sum(hr.minutes_with_data) FILTER (WHERE hr.avg_vehicle_index IS NOT NULL), 0) AS vehicle,
                   sum(hr.total_volume) AS volume,
                   count(*)::double precision AS hours
            FROM tsi.safety_indices_hourly hr
            WHERE hr.intersection_id = a.id AND hr.hour_timestamp >= a.start_time AND hr.hour_timestamp < a.end_time
            GROUP BY 1
        ), days AS (
            -- a closed local day whose midnight lies in the range: its daily rollup …
            SELECT d.date AS day, d.avg_si AS si, d.avg_vru_index AS vru, d.avg_vehicle_index AS vehicle,
                   d.total_volume AS volume, d.hours_with_data::double precision AS hours
            FROM tsi.safety_indices_daily d
            WHERE d.intersection_id = a.id
              AND d.date BETWEEN (a.start_time AT TIME ZONE i.time_zone)::date AND (a.end_time AT TIME ZONE i.time_zone)::date
              AND d.date::timestamp AT TIME ZONE i.time_zone >= a.start_time AND d.date::timestamp AT TIME ZONE i.time_zone < a.end_time
            UNION ALL
            -- … any other day from its hourly rows
            SELECT h.day, h.si, h.vru, h.vehicle, h.volume, h.hours
            FROM hours h
            WHERE NOT EXISTS (SELECT FROM tsi.safety_indices_daily d
                              WHERE d.intersection_id = a.id AND d.date = h.day
                                AND d.date::timestamp AT TIME ZONE i.time_zone >= a.start_time
                                AND d.date::timestamp AT TIME ZONE i.time_zone < a.end_time)
        )
        SELECT date_trunc(a.bucket, d.day::timestamp) AT TIME ZONE i.time_zone AS "timestamp",
               sum(d.hours * d.si) / sum(d.hours) AS safety_index,
               sum(d.hours * d.vru) / nullif(sum(d.hours) FILTER (WHERE d.vru IS NOT NULL), 0) AS vru_index,
               sum(d.hours * d.vehicle) / nullif(sum(d.hours) FILTER (WHERE d.vehicle IS NOT NULL), 0) AS vehicle_index,
               sum(d.volume)::bigint AS traffic_volume,
               0 AS hour_of_day,
               extract(isodow FROM date_trunc(a.bucket, d.day::timestamp))::integer - 1 AS day_of_week,
               a.bucket AS aggregation
        FROM days d
        GROUP BY date_trunc(a.bucket, d.day::timestamp)
        ORDER BY 1
    ) b
    ORDER BY b.timestamp
$$;
COMMENT ON FUNCTION tsi.intersection_history_buckets(integer, timestamptz, timestamptz, text) IS
    'Weekly or monthly safety-index series of one intersection (bucket ''week'' or ''month''), ordered by timestamp: one row per local '
    'calendar week (ISO, from Monday 00:00) or month (from the 1st 00:00) with data in start_time <= t < end_time. timestamp = the local '
    'midnight that starts the bucket (it can precede start_time: only the range''s data counts), hour_of_day 0, day_of_week of that '
    'midnight (0 = Monday). The bucket''s days come from the daily rollup of each closed local day whose midnight lies in the range and, '
    'for the other days (today, days not rolled up yet), from their hourly rows that start in the range; indices = the days'' means weighted '
    'by their hours with data (EB where present), traffic_volume = the sum of the days'' vehicles. Rows of tsi.history_point, aggregation = bucket. '
    'Errors: 22023 for a NULL argument, end_time <= start_time or another bucket; P0002 when the intersection does not exist.';

COMMIT;
