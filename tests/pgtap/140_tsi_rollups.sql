-- Hourly and daily rollups (reference §4): values equal an independent aggregate, exactly
-- once, recomputation of changed hours, days cut at local midnight; retention drops only what
-- is old *and* rolled up; partitions exist ahead.
BEGIN;
SELECT plan(23);

INSERT INTO tsi.intersections (id, name, latitude, longitude, time_zone) VALUES
    (152, 'Intersection 152', 38.862981, -77.227696, 'America/New_York'),
    (3837, 'Intersection 3837', 37.187012, -80.395026, 'America/Los_Angeles');
SELECT tsi.create_daily_partitions('tsi.safety_indices_realtime', '2026-07-01', '2026-07-03');

-- Minute rows: 2026-07-01 14:00–14:59 UTC with index m·1.5 (9 minutes above 75), 15:00–15:29 with
-- index 40; and around local midnight of intersection 152 (04:00 UTC): 03:00–03:09 and 04:00–04:09
-- on 2026-07-02. Volume m % 7.
CREATE TEMP TABLE minutes AS
SELECT i AS intersection_id, t AS ts, idx
FROM (VALUES (152), (3837)) AS ids (i)
CROSS JOIN LATERAL (
    SELECT timestamptz '2026-07-01 14:00+00' + m * interval '1 minute', m * 1.5 FROM generate_series(0, 59) AS m
    UNION ALL SELECT timestamptz '2026-07-01 15:00+00' + m * interval '1 minute', 40 FROM generate_series(0, 29) AS m
    UNION ALL SELECT timestamptz '2026-07-02 03:00+00' + m * interval '1 minute', 30 + m FROM generate_series(0, 9) AS m
    UNION ALL SELECT timestamptz '2026-07-02 04:00+00' + m * interval '1 minute', 60 + m FROM generate_series(0, 9) AS m
) AS x (t, idx);

INSERT INTO tsi.safety_indices_realtime (intersection_id, timestamp, combined_index, combined_index_eb, vru_index,
    vru_index_eb, vehicle_index, vehicle_index_eb, traffic_index, traffic_volume, hour_of_day, day_of_week, formula_version)
SELECT m.intersection_id, m.ts, least(m.idx + 5, 100), m.idx, m.idx, m.idx / 2, m.idx, m.idx / 3, least(m.idx + 5, 100),
       (extract(minute FROM m.ts)::integer % 7), tsi.local_hour(m.ts, i.time_zone), tsi.local_day_of_week(m.ts, i.time_zone), 1
FROM minutes AS m JOIN tsi.intersections AS i ON i.id = m.intersection_id;

-- The independent aggregate the hourly rollup must equal.
CREATE TEMP VIEW expected_hourly AS
SELECT r.intersection_id, date_trunc('hour', r.timestamp) AS hour_timestamp,
       round(avg(r.combined_index_eb)::numeric, 9) AS avg_si, min(r.combined_index_eb) AS min_si,
       max(r.combined_index_eb) AS max_si, round(stddev_samp(r.combined_index_eb)::numeric, 9) AS std_si,
       sum(r.traffic_volume)::bigint AS total_volume, round(avg(r.traffic_volume)::numeric, 9) AS avg_volume,
       count(*) FILTER (WHERE r.combined_index_eb > 75)::integer AS high_risk_minutes,
       round(count(*) / 60.0, 9) AS data_quality_score, count(*)::integer AS minutes_with_data
FROM tsi.safety_indices_realtime AS r
WHERE r.timestamp >= '2026-07-01' AND r.timestamp < '2026-07-03'
GROUP BY 1, 2;
CREATE TEMP VIEW actual_hourly AS
SELECT intersection_id, hour_timestamp, round(avg_si::numeric, 9) AS avg_si, min_si, max_si,
       round(std_si::numeric, 9) AS std_si, total_volume, round(avg_volume::numeric, 9) AS avg_volume,
       high_risk_minutes, round(data_quality_score::numeric, 9) AS data_quality_score, minutes_with_data
FROM tsi.safety_indices_hourly;

CALL tsi.rollup_hourly('2026-07-02 05:30+00');
SELECT set_eq('SELECT * FROM actual_hourly', 'SELECT * FROM expected_hourly',
              'hourly rows equal an independent aggregate of the 1-minute rows');
SELECT is((SELECT high_risk_minutes FROM tsi.safety_indices_hourly
           WHERE intersection_id = 152 AND hour_timestamp = '2026-07-01 14:00+00'), 9,
          'high_risk_minutes counts the minutes above 75');
SELECT is((SELECT data_quality_score FROM tsi.safety_indices_hourly
           WHERE intersection_id = 152 AND hour_timestamp = '2026-07-01 15:00+00'), 0.5::float8,
          'data_quality_score = minutes with data / 60');
SELECT results_eq(
    $$ SELECT hour_of_day, day_of_week FROM tsi.safety_indices_hourly
       WHERE intersection_id = 152 AND hour_timestamp = '2026-07-02 03:00+00' $$,
    $$ VALUES (23, 2) $$,
    'hourly rows carry the local hour and weekday (23:00 Wednesday in New York)');
SELECT is((SELECT watermark FROM tsi.rollup_watermarks WHERE rollup = 'hourly'), '2026-07-02 05:00+00'::timestamptz,
          'the hourly watermark advanced to the last complete hour');

CREATE TEMP TABLE hourly_snapshot AS SELECT * FROM tsi.safety_indices_hourly;
CALL tsi.rollup_hourly('2026-07-02 05:30+00');
SELECT set_eq('SELECT * FROM tsi.safety_indices_hourly', 'SELECT * FROM hourly_snapshot',
              'a second run changes nothing (exactly once, ids kept)');

-- Late data behind the watermark: the processing marks the hour dirty, the rollup recomputes it.
UPDATE tsi.safety_indices_realtime SET combined_index_eb = 100
WHERE intersection_id = 152 AND timestamp = '2026-07-01 15:00+00';
INSERT INTO tsi.dirty_hours VALUES (152, '2026-07-01 15:00+00');
CALL tsi.rollup_hourly('2026-07-02 05:30+00');
SELECT set_eq('SELECT * FROM actual_hourly', 'SELECT * FROM expected_hourly',
              'a dirty hour is recomputed and matches the changed minutes');
SELECT is_empty('SELECT * FROM tsi.dirty_hours', 'dirty hours are cleared once rolled up');

-- Daily: intersection 152's 2026-07-01 ends at 04:00 UTC on 07-02; 3837's at 07:00 UTC.
CALL tsi.rollup_daily('2026-07-02 06:00+00');
SELECT results_eq(
    $$ SELECT intersection_id, date, hours_with_data FROM tsi.safety_indices_daily ORDER BY 1, 2 $$,
    $$ VALUES (152, date '2026-07-01', 3) $$,
    'only days whose local midnight has passed are rolled up (152 yes, Los Angeles not yet)');
SELECT results_eq(
    $$ SELECT round(avg_si::numeric, 9), min_si, max_si, total_volume, peak_hour, round(peak_si::numeric, 9), day_of_week
       FROM tsi.safety_indices_daily WHERE intersection_id = 152 $$,
    $$ SELECT round((sum(avg_si * minutes_with_data) / sum(minutes_with_data))::numeric, 9), min(min_si), max(max_si),
              sum(total_volume)::bigint,
              (array_agg(hour_of_day ORDER BY avg_si DESC))[1], round(max(avg_si)::numeric, 9), 2
       FROM tsi.safety_indices_hourly
       WHERE intersection_id = 152 AND hour_timestamp >= '2026-07-01 04:00+00' AND hour_timestamp < '2026-07-02 04:00+00' $$,
    'daily values are computed from the local day''s hourly rows; peak hour in local time');
SELECT is((SELECT peak_hour FROM tsi.safety_indices_daily WHERE intersection_id = 152), 10,
          'peak hour 14:00 UTC is 10:00 in New York');

CALL tsi.rollup_daily('2026-07-03 12:00+00');
SELECT is((SELECT watermark FROM tsi.rollup_watermarks WHERE rollup = 'daily'), '2026-07-02 05:00+00'::timestamptz,
          'the daily rollup never passes the hourly watermark');
CALL tsi.rollup_hourly('2026-07-03 12:00+00');
CALL tsi.rollup_daily('2026-07-03 12:00+00');
SELECT results_eq(
    $$ SELECT intersection_id, date FROM tsi.safety_indices_daily ORDER BY 1, 2 $$,
    $$ VALUES (152, date '2026-07-01'), (152, date '2026-07-02'), (3837, date '2026-07-01') $$,
    'later runs roll up the remaining local days (all of 3837''s data falls on its local 2026-07-01)');
SELECT is((SELECT hours_with_data FROM tsi.safety_indices_daily WHERE intersection_id = 3837 AND date = '2026-07-01'), 4,
          'Los Angeles'' 2026-07-01 includes the hours up to its own midnight (07:00 UTC)');

-- A changed hour behind the daily watermark re-rolls its day.
UPDATE tsi.safety_indices_realtime SET combined_index_eb = 0
WHERE intersection_id = 152 AND timestamp = '2026-07-01 14:30+00';
INSERT INTO tsi.dirty_hours VALUES (152, '2026-07-01 14:00+00');
CALL tsi.rollup_hourly('2026-07-03 12:00+00');
SELECT ok(EXISTS (SELECT FROM tsi.dirty_days WHERE intersection_id = 152 AND date = '2026-07-01'),
          'an hourly change behind the daily watermark marks its local day dirty');
CALL tsi.rollup_daily('2026-07-03 12:00+00');
SELECT is((SELECT min_si FROM tsi.safety_indices_daily WHERE intersection_id = 152 AND date = '2026-07-01'), 0::float8,
          'the dirty day is recomputed');

-- Retention: 1-minute partitions older than 48 h go only once rolled up.
UPDATE tsi.rollup_watermarks SET watermark = '2026-07-01 12:00+00' WHERE rollup = 'hourly';
CALL tsi.maintain_partitions('2026-07-10 12:00+00');
SELECT ok(to_regclass('tsi.safety_indices_realtime_20260701') IS NOT NULL
          AND to_regclass('tsi.safety_indices_realtime_20260702') IS NOT NULL,
          'old partitions whose hours are not all rolled up are kept');
UPDATE tsi.rollup_watermarks SET watermark = '2026-07-03 00:00+00' WHERE rollup = 'hourly';
INSERT INTO tsi.dirty_hours VALUES (152, '2026-07-02 03:00+00');
CALL tsi.maintain_partitions('2026-07-10 12:00+00');
SELECT ok(to_regclass('tsi.safety_indices_realtime_20260701') IS NULL
          AND to_regclass('tsi.safety_indices_realtime_20260702') IS NOT NULL,
          'a rolled-up old partition is dropped; one with a dirty hour is kept');
SELECT ok(to_regclass('tsi.safety_indices_realtime_20260703') IS NOT NULL,
          'the partition of a day not yet rolled up is kept');
SELECT is((SELECT count(*)::integer FROM tsi.safety_indices_hourly
           WHERE intersection_id = 152 AND hour_timestamp = '2026-07-01 14:00+00'), 1,
          'dropping 1-minute partitions keeps their hourly rows');

SELECT is((SELECT count(*)::integer FROM tsi.daily_partitions AS d
           WHERE d.day BETWEEN date '2026-07-10' AND date '2026-07-17'),
          (SELECT count(*)::integer * 8 FROM tsi.partition_policy),
          'every partitioned table has daily partitions for at least 7 days ahead');
INSERT INTO tsi.safety_indices_hourly (intersection_id, hour_timestamp, avg_si, min_si, max_si, total_volume, avg_volume,
                                       minutes_with_data, hour_of_day, day_of_week)
VALUES (152, '2026-03-01 00:00+00', 1, 1, 1, 1, 1, 1, 19, 5);
CALL tsi.maintain_partitions('2026-07-10 12:00+00');
SELECT is((SELECT count(*)::integer FROM tsi.safety_indices_hourly WHERE hour_timestamp < '2026-04-11'), 0,
          'hourly rows older than 90 days are deleted');
SELECT is((SELECT sum(row_count)::integer FROM tsi.default_partition_rows), 0, 'the default partitions are empty');

SELECT * FROM finish();
ROLLBACK;
