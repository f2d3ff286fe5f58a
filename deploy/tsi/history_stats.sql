-- Deploy trafficsafety:tsi/history_stats to pg
-- Statistics of an intersection's 1-minute intervals over a range: what the old dashboard's
-- "Summary Statistics" show (api/legacy, /api/v1/safety/history/{id}/stats). Exact at minute
-- resolution without reading every minute: the hourly rollup keeps, per hour, the minutes with
-- data, their mean, sample standard deviation, extremes, high-risk minutes and vehicles, so the
-- hours combine (pooled variance); minutes whose hour has no hourly row yet count one by one.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TYPE tsi.interval_stats AS (
    period_start timestamptz, period_end timestamptz, intervals bigint,
    avg_safety_index double precision, min_safety_index double precision, max_safety_index double precision,
    std_safety_index double precision, total_traffic_volume bigint, avg_traffic_volume double precision,
    high_risk_intervals bigint
);
COMMENT ON TYPE tsi.interval_stats IS 'Statistics of an intersection''s 1-minute intervals (tsi.intersection_stats): see the function.';

CREATE FUNCTION tsi.intersection_stats(intersection_id integer, start_time timestamptz, end_time timestamptz)
RETURNS tsi.interval_stats
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT min(p.period_start), max(p.period_end), sum(p.n)::bigint,
           sum(p.n * p.mean) / sum(p.n),
           min(p.low), max(p.high),
           -- pooled sample variance: within-part squares plus the parts' spread around the mean
           CASE WHEN sum(p.n) > 1
                THEN sqrt(greatest(0, (sum((p.n - 1) * p.var) + sum(p.n * p.mean ^ 2) - sum(p.n * p.mean) ^ 2 / sum(p.n)) / (sum(p.n) - 1)))
                ELSE 0 END,
           sum(p.volume)::bigint,
           sum(p.volume)::double precision / sum(p.n),
           sum(p.high_risk)::bigint
    FROM (SELECT intersection_stats.intersection_id AS id, start_time AS start_time, end_time AS end_time
          -- the arguments' own checks first, then whether the intersection exists (tsi/query_arguments)
          WHERE CASE WHEN tsi.check_argument(coalesce(
                    CASE WHEN intersection_stats.intersection_id IS NULL THEN 'intersection_id must not be NULL' END,
                    CASE WHEN start_time IS NULL THEN 'start_time must not be NULL' END,
                    CASE WHEN end_time IS NULL THEN 'end_time must not be NULL' END,
                    CASE WHEN end_time <= start_time
                         THEN format('end_time must be later than start_time (got start_time %s, end_time %s)', start_time, end_time) END))
                THEN tsi.check_argument(
                    CASE WHEN NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = intersection_stats.intersection_id)
                         THEN format('intersection_id %s does not exist', intersection_stats.intersection_id) END,
                    'P0002') END
          OFFSET 0) a
    CROSS JOIN LATERAL (
        -- the hours that start in the range …
        SELECT hr.hour_timestamp AS period_start, hr.hour_timestamp AS period_end, hr.minutes_with_data::double precision AS n,
               hr.avg_si AS mean, coalesce(hr.std_si ^ 2, 0) AS var, hr.min_si AS low, hr.max_si AS high,
               hr.total_volume AS volume, hr.high_risk_minutes AS high_risk
        FROM tsi.safety_indices_hourly hr
        WHERE hr.intersection_id = a.id AND hr.hour_timestamp >= a.start_time AND hr.hour_timestamp < a.end_time
        UNION ALL
        -- … and the minutes in the range whose hour is not rolled up (yet)
        SELECT m.timestamp, m.timestamp, 1, m.safety_index, 0, m.safety_index, m.safety_index,
               m.traffic_volume, (m.safety_index > 75)::integer
        FROM tsi.minute_indices m
        WHERE m.intersection_id = a.id AND m.timestamp >= a.start_time AND m.timestamp < a.end_time
          AND NOT EXISTS (SELECT FROM tsi.safety_indices_hourly hr
                          WHERE hr.intersection_id = a.id AND hr.hour_timestamp = date_trunc('hour', m.timestamp, 'UTC'))
    ) p
$$;
COMMENT ON FUNCTION tsi.intersection_stats(integer, timestamptz, timestamptz) IS
    'Statistics of one intersection''s 1-minute intervals with data in start_time <= t < end_time (the intervals of the hours that start in '
    'the range, from the hourly rollup, and the minutes in the range whose hour is not rolled up yet): intervals (minutes with data), mean, '
    'lowest, highest and sample standard deviation of the safety index (EB where present; 0 for a single minute), total vehicles and '
    'vehicles per interval, high_risk_intervals (minutes with index > 75); period_start and period_end = the start of the first and of the '
    'last hour (or minute) with data. Hourly rows are kept 90 days: older parts of a range have no intervals. All NULL (intervals NULL) '
    'when the range has no data. Errors: 22023 for a NULL argument or end_time <= start_time; P0002 when the intersection does not exist.';

COMMIT;
