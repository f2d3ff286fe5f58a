-- The series and statistics behind the legacy endpoints (tsi/history_buckets, tsi/history_stats)
-- and the legacy endpoints' private helpers (api/legacy_helpers), called directly with rollup and
-- minute rows written by hand: tsi.intersection_history_buckets, tsi.intersection_stats,
-- tsi.legacy_window, tsi.legacy_aggregation, tsi.legacy_history_document, tsi.legacy_answer,
-- tsi.legacy_problem, tsi.legacy_validation and the argument checks tsi.legacy_*_problem.
BEGIN;
SELECT plan(30);

SET LOCAL TimeZone = 'UTC';

CREATE FUNCTION pg_temp.t0() RETURNS timestamptz LANGUAGE sql STABLE
AS $$ SELECT date_trunc('day', now(), 'UTC') - interval '1 day' + interval '10 hours' $$;
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (7201, 'buckets', 11.0, 11.0), (7202, 'stats', 11.01, 11.0), (7203, 'nothing', 11.02, 11.0);
-- America/New_York (EDT, UTC-4 in June): 2026-06-01 and 2026-06-08 are Mondays.
INSERT INTO tsi.safety_indices_daily (intersection_id, date, avg_si, min_si, max_si, total_volume, avg_volume,
                                      hours_with_data, day_of_week, avg_vru_index, avg_vehicle_index)
VALUES (7201, '2026-06-01', 40, 30, 50, 100, 1, 10, 0, 10, 20),
       (7201, '2026-06-02', 60, 50, 70, 50, 1, 5, 1, 40, NULL),
       (7201, '2026-06-08', 80, 70, 90, 7, 1, 2, 0, NULL, NULL);
INSERT INTO tsi.safety_indices_hourly (intersection_id, hour_timestamp, avg_si, min_si, max_si, std_si, total_volume, avg_volume,
                                       high_risk_minutes, minutes_with_data, hour_of_day, day_of_week, avg_vru_index, avg_vehicle_index)
VALUES -- a day with a daily row: the daily row counts, not this hour
       (7201, '2026-06-01 14:00Z', 99, 99, 99, 0, 1000, 1, 60, 60, 10, 0, 99, 99),
       -- a day without one (not rolled up yet): its hours count
       (7201, '2026-06-09 14:00Z', 20, 10, 30, 1, 5, 1, 0, 30, 10, 1, NULL, NULL),
       (7201, '2026-06-09 15:00Z', 30, 20, 40, 1, 3, 1, 0, 10, 11, 1, NULL, NULL),
       -- statistics: an hour of two minutes (49 and 51)
       (7202, pg_temp.t0(), 50, 49, 51, sqrt(2), 10, 5, 0, 2, 6, 0, NULL, NULL);
INSERT INTO tsi.safety_indices_realtime
    (intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb,
     vehicle_index, vehicle_index_eb, traffic_volume, hour_of_day, day_of_week, formula_version)
VALUES (7202, pg_temp.t0() + interval '5 minutes', 1, 1, 1, 1, 1, 1, 500, 6, 0, 1),   -- its hour is rolled up: not again
       (7202, pg_temp.t0() + interval '1 hour', 70, 80, 60, 60, 60, 60, 3, 7, 0, 1); -- not rolled up yet: counts

-- Weekly and monthly buckets
SELECT results_eq(
    $$SELECT "timestamp", round(safety_index::numeric, 4), traffic_volume, hour_of_day, day_of_week, aggregation
      FROM tsi.intersection_history_buckets(7201, '2026-06-01 04:00Z', '2026-06-15 04:00Z', 'week')$$,
    $$VALUES ('2026-06-01 04:00Z'::timestamptz, round((40 * 10 + 60 * 5) / 15.0, 4), 150::bigint, 0, 0, 'week'),
             ('2026-06-08 04:00Z'::timestamptz, round((80 * 2 + 22.5 * 2) / 4.0, 4), 15::bigint, 0, 0, 'week')$$,
    'weeks: local Monday midnight, days weighted by hours with data, daily rows before hourly ones, volume summed');
SELECT results_eq(
    $$SELECT round(vru_index::numeric, 4), vehicle_index FROM tsi.intersection_history_buckets(7201, '2026-06-01 04:00Z', '2026-06-08 04:00Z', 'week')$$,
    $$VALUES (round((10 * 10 + 40 * 5) / 15.0, 4), 20::float8)$$,
    'weeks: VRU and vehicle means over the days that have them');
SELECT results_eq(
    $$SELECT "timestamp", round(safety_index::numeric, 4), traffic_volume, day_of_week
      FROM tsi.intersection_history_buckets(7201, '2026-06-01 04:00Z', '2026-06-15 04:00Z', 'month')$$,
    $$VALUES ('2026-06-01 04:00Z'::timestamptz, round(905 / 19.0, 4), 165::bigint, 0)$$,
    'months: the 1st at local midnight, every day of the range');
SELECT is((SELECT count(*)::integer FROM tsi.intersection_history_buckets(7201, '2026-06-02 04:00Z', '2026-06-03 04:00Z', 'week')),
          1, 'a week bucket starts before the range: only the range''s day counts');
SELECT is((SELECT traffic_volume FROM tsi.intersection_history_buckets(7201, '2026-06-02 04:00Z', '2026-06-03 04:00Z', 'week')),
          50::bigint, 'a week bucket holds only the range''s data');
SELECT throws_ok($$SELECT * FROM tsi.intersection_history_buckets(7201, now() - interval '1 day', now(), 'day')$$,
                 '22023', 'bucket must be week or month (got day)', 'buckets are weeks or months');
SELECT throws_ok($$SELECT * FROM tsi.intersection_history_buckets(64999, now() - interval '1 day', now(), 'week')$$,
                 'P0002', 'intersection_id 64999 does not exist', 'buckets of an unknown intersection');

-- Statistics of the 1-minute intervals
SELECT results_eq(
    $$SELECT period_start, period_end, intervals, avg_safety_index, min_safety_index, max_safety_index, total_traffic_volume,
             round(avg_traffic_volume::numeric, 6), high_risk_intervals
      FROM tsi.intersection_stats(7202, pg_temp.t0() - interval '1 day', pg_temp.t0() + interval '1 day')$$,
    $$VALUES (pg_temp.t0(), pg_temp.t0() + interval '1 hour', 3::bigint, 60::float8, 49::float8, 80::float8, 13::bigint,
              round(13 / 3.0, 6), 1::bigint)$$,
    'stats: a rolled-up hour and a minute whose hour is not, each minute once');
SELECT ok(abs((tsi.intersection_stats(7202, pg_temp.t0() - interval '1 day', pg_temp.t0() + interval '1 day')).std_safety_index - sqrt(301)) < 1e-9,
          'stats: pooled sample standard deviation of the minutes (49, 51, 80)');
SELECT is((tsi.intersection_stats(7202, pg_temp.t0() + interval '1 hour', pg_temp.t0() + interval '2 hours')).std_safety_index, 0::float8,
          'stats: one minute has a standard deviation of 0');
SELECT is((tsi.intersection_stats(7203, now() - interval '1 day', now())).intervals, NULL, 'stats of a range without data: NULL');
SELECT throws_ok($$SELECT tsi.intersection_stats(7202, now(), now())$$, '22023', NULL, 'stats: end_time must be later than start_time');

-- The legacy window and aggregation words
SELECT results_eq($$SELECT start_time, end_time, span_days, problem FROM tsi.legacy_window(7202, 2, NULL, NULL)$$,
                  $$VALUES (pg_temp.t0() + interval '61 minutes' - interval '2 days', pg_temp.t0() + interval '61 minutes', 2, NULL::text)$$,
                  'window of days=2: the two days up to the newest minute');
SELECT results_eq($$SELECT start_time, end_time, span_days, problem FROM tsi.legacy_window(7201, 7, '2026-06-01', '2026-06-02')$$,
                  $$VALUES ('2026-06-01 04:00Z'::timestamptz, '2026-06-03 04:00Z'::timestamptz, 2, NULL::text)$$,
                  'window of dates: local days, both included (days ignored)');
SELECT is((tsi.legacy_window(7201, 3, NULL, '2026-06-10')).start_time, '2026-06-08 04:00Z'::timestamptz,
          'window of end_date alone: days - 1 days before it');
SELECT is((tsi.legacy_window(7201, 7, '2026-06-10', '2026-06-01')).problem, 'start_date must be before or equal to end_date',
          'window: start after end');
SELECT is((tsi.legacy_window(7201, 7, '2026-01-01', '2026-03-01', 30)).problem,
          'All-intersections query limited to 30 days. Use single-intersection endpoint for longer periods.', 'window: the 30 days of all');
SELECT is(ARRAY[tsi.legacy_aggregation(NULL, 1), tsi.legacy_aggregation(NULL, 7), tsi.legacy_aggregation(NULL, 30),
                tsi.legacy_aggregation(NULL, 90), tsi.legacy_aggregation(NULL, 91)],
          ARRAY['minute', 'hour', 'day', 'week', 'month'], 'default aggregation by days, as the old backend');
SELECT is(ARRAY[tsi.legacy_aggregation('1min', 99), tsi.legacy_aggregation('1week', 1), tsi.legacy_aggregation('month', 1),
                tsi.legacy_aggregation('fortnight', 1)],
          ARRAY['minute', 'week', 'month', NULL], 'old and new words');
SELECT is(tsi.legacy_history_document(7201, '2026-06-01 04:00Z', '2026-06-15 04:00Z', 'week', '1week') - 'data_points',
          '{"intersection_id": "7201", "intersection_name": "buckets", "start_date": "2026-06-01T04:00:00+00:00",
            "end_date": "2026-06-15T04:00:00+00:00", "total_points": 2, "aggregation": "1week"}'::jsonb,
          'history document: weeks, named as asked, timestamps in UTC');
SELECT is(tsi.legacy_history_document(7203, now() - interval '1 day', now(), 'minute', '1min'), NULL, 'history document without data: NULL');

-- FastAPI's answers and argument checks
SELECT is(tsi.legacy_answer(404, '{"detail": "x"}')::jsonb, '{"detail": "x"}'::jsonb, 'an answer''s body');
SELECT is(current_setting('response.status'), '404', 'an answer''s status reaches PostgREST');
SELECT is(tsi.legacy_problem('query', 'days', 'missing', 'Field required', NULL),
          '{"type": "missing", "loc": ["query", "days"], "msg": "Field required", "input": null}'::jsonb, 'a validation error');
SELECT is(tsi.legacy_validation(ARRAY[NULL, '{"a": 1}', NULL, '{"b": 2}']::jsonb[]), '[{"a": 1}, {"b": 2}]'::jsonb,
          'the validation errors, in order');
SELECT is(tsi.legacy_validation(ARRAY[NULL, NULL]::jsonb[]), NULL, 'no validation error');
SELECT is(ARRAY[tsi.legacy_integer_problem('7', 'query', 'days', 1, 365) ->> 'type', tsi.legacy_integer_problem('', 'query', 'days') ->> 'type',
                tsi.legacy_integer_problem('7.5', 'query', 'days') ->> 'type', tsi.legacy_integer_problem('366', 'query', 'days', 1, 365) ->> 'type',
                tsi.legacy_integer_problem('99999999999999999999', 'query', 'days') ->> 'type'],
          ARRAY[NULL, NULL, 'int_parsing', 'less_than_equal', 'int_parsing'], 'integer checks');
SELECT is(ARRAY[tsi.legacy_number_problem('-77.5', 'query', 'lon', -180, 180) ->> 'type', tsi.legacy_number_problem('1e3', 'query', 'lat', -90, 90) ->> 'type',
                tsi.legacy_number_problem('NaN', 'query', 'lat') ->> 'type'],
          ARRAY[NULL, 'less_than_equal', 'float_parsing'], 'number checks');
SELECT is(ARRAY[tsi.legacy_date_problem('2026-02-28', 'query', 'start_date') ->> 'type', tsi.legacy_date_problem('2026-02-29', 'query', 'start_date') ->> 'type',
                tsi.legacy_date_problem('yesterday', 'query', 'start_date') ->> 'type'],
          ARRAY[NULL, 'date_from_datetime_parsing', 'date_from_datetime_parsing'], 'date checks: a real calendar date');
SELECT is(ARRAY[tsi.legacy_pattern_problem('1hour', 'query', 'aggregation', '^(1hour)$') ->> 'type',
                tsi.legacy_pattern_problem('2hour', 'query', 'aggregation', '^(1hour)$') ->> 'type',
                tsi.legacy_missing_problem(NULL, 'query', 'lat') ->> 'type', tsi.legacy_missing_problem('1', 'query', 'lat') ->> 'type'],
          ARRAY[NULL, 'string_pattern_mismatch', 'missing', NULL], 'pattern and required checks');

SELECT * FROM finish();
ROLLBACK;
