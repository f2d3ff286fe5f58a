-- Deploy trafficsafety:api/legacy_helpers to pg
-- Private helpers of the legacy endpoints (api/legacy), kept in tsi (everything in api is an
-- endpoint). The old FastAPI backend answered its own way, and its dashboard still expects it:
--   * query arguments arrive as text (the api functions take text) and are checked here the way
--     FastAPI/pydantic checked them, every problem collected: HTTP 422 {"detail": [{"type",
--     "loc": ["query", name], "msg", "input", "ctx"}]};
--   * other errors are {"detail": "message"} with 400 or 404;
--   * the status reaches PostgREST through the response.status setting of the transaction.
-- The history window and document are shared by the history, statistics and all-histories
-- endpoints.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Answers ------------------------------------------------------------------------------------

CREATE FUNCTION tsi.legacy_answer(status integer, body jsonb)
RETURNS json
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF status <> 200 THEN
        PERFORM set_config('response.status', status::text, true);
    END IF;
    RETURN body::json;
END
$$;
COMMENT ON FUNCTION tsi.legacy_answer(integer, jsonb) IS
    'Body of a legacy endpoint''s answer with its HTTP status: sets response.status (read by PostgREST) unless status is 200, returns body.';

CREATE FUNCTION tsi.legacy_problem(loc text, name text, type text, msg text, input text, ctx jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('type', type, 'loc', jsonb_build_array(loc, name), 'msg', msg, 'ctx', ctx))
           || jsonb_build_object('input', input)
$$;
COMMENT ON FUNCTION tsi.legacy_problem(text, text, text, text, text, jsonb) IS
    'One validation error as FastAPI (pydantic 2) reports it: {"type", "loc": [loc, name], "msg", "input", "ctx"} (ctx only when given).';

CREATE FUNCTION tsi.legacy_validation(problems jsonb[])
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT jsonb_agg(p ORDER BY i) FROM unnest(problems) WITH ORDINALITY u (p, i) WHERE p IS NOT NULL
$$;
COMMENT ON FUNCTION tsi.legacy_validation(jsonb[]) IS
    'The non-NULL validation errors of problems as a JSON array, in order; NULL when there is none.';

-- Argument checks: NULL when the argument is fine or absent (NULL or empty), else the error --

CREATE FUNCTION tsi.legacy_integer_problem(value text, loc text, name text, ge integer DEFAULT NULL, le integer DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN nullif(value, '') IS NULL THEN NULL
        WHEN btrim(value) !~ '^[+-]?[0-9]{1,18}$'
            THEN tsi.legacy_problem(loc, name, 'int_parsing', 'Input should be a valid integer, unable to parse string as an integer', value)
        WHEN ge IS NOT NULL AND btrim(value)::bigint < ge
            THEN tsi.legacy_problem(loc, name, 'greater_than_equal', format('Input should be greater than or equal to %s', ge), value,
                                    jsonb_build_object('ge', ge))
        WHEN le IS NOT NULL AND btrim(value)::bigint > le
            THEN tsi.legacy_problem(loc, name, 'less_than_equal', format('Input should be less than or equal to %s', le), value,
                                    jsonb_build_object('le', le))
    END
$$;
COMMENT ON FUNCTION tsi.legacy_integer_problem(text, text, text, integer, integer) IS
    'FastAPI''s check of an integer argument: int_parsing, greater_than_equal (ge) or less_than_equal (le) error, or NULL when value is a '
    'whole number within the bounds, NULL or empty (absent).';

CREATE FUNCTION tsi.legacy_number_problem(value text, loc text, name text, ge double precision DEFAULT NULL, le double precision DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN nullif(value, '') IS NULL THEN NULL
        WHEN btrim(value) !~* '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(e[+-]?[0-9]{1,3})?$'
            THEN tsi.legacy_problem(loc, name, 'float_parsing', 'Input should be a valid number, unable to parse string as a number', value)
        WHEN ge IS NOT NULL AND btrim(value)::double precision < ge
            THEN tsi.legacy_problem(loc, name, 'greater_than_equal', format('Input should be greater than or equal to %s', ge), value,
                                    jsonb_build_object('ge', ge))
        WHEN le IS NOT NULL AND btrim(value)::double precision > le
            THEN tsi.legacy_problem(loc, name, 'less_than_equal', format('Input should be less than or equal to %s', le), value,
                                    jsonb_build_object('le', le))
    END
$$;
COMMENT ON FUNCTION tsi.legacy_number_problem(text, text, text, double precision, double precision) IS
    'FastAPI''s check of a number argument: float_parsing, greater_than_equal or less_than_equal error, or NULL when fine or absent.';

CREATE FUNCTION tsi.legacy_date_problem(value text, loc text, name text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF nullif(value, '') IS NULL THEN
        RETURN NULL;
    END IF;
    IF btrim(value) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        BEGIN
            PERFORM to_date(btrim(value), 'YYYY-MM-DD');
            IF to_char(to_date(btrim(value), 'YYYY-MM-DD'), 'YYYY-MM-DD') = btrim(value) THEN
                RETURN NULL;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END IF;
    RETURN tsi.legacy_problem(loc, name, 'date_from_datetime_parsing', 'Input should be a valid date in the format YYYY-MM-DD', value);
END
$$;
COMMENT ON FUNCTION tsi.legacy_date_problem(text, text, text) IS
    'FastAPI''s check of a date argument: a date_from_datetime_parsing error unless value is a real calendar date YYYY-MM-DD, NULL or empty.';

CREATE FUNCTION tsi.legacy_pattern_problem(value text, loc text, name text, pattern text)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN nullif(value, '') IS NOT NULL AND value !~ pattern
                THEN tsi.legacy_problem(loc, name, 'string_pattern_mismatch', format('String should match pattern ''%s''', pattern), value,
                                        jsonb_build_object('pattern', pattern)) END
$$;
COMMENT ON FUNCTION tsi.legacy_pattern_problem(text, text, text, text) IS
    'FastAPI''s check of a string argument against a regular expression: a string_pattern_mismatch error, or NULL when it matches or is absent.';

CREATE FUNCTION tsi.legacy_missing_problem(value text, loc text, name text)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN nullif(value, '') IS NULL THEN tsi.legacy_problem(loc, name, 'missing', 'Field required', NULL) END
$$;
COMMENT ON FUNCTION tsi.legacy_missing_problem(text, text, text) IS
    'FastAPI''s error for a required argument that is absent (NULL or empty): {"type": "missing", "msg": "Field required"}; NULL otherwise.';

-- The history window ---------------------------------------------------------------------------

CREATE FUNCTION tsi.legacy_window(
    intersection_id integer, days integer, start_date date, end_date date, max_days integer DEFAULT 365,
    OUT start_time timestamptz, OUT end_time timestamptz, OUT span_days integer, OUT problem text
)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    tz text;
    latest timestamptz;
BEGIN
    SELECT i.time_zone INTO tz FROM tsi.intersections i WHERE i.id = legacy_window.intersection_id;
    IF start_date IS NULL AND end_date IS NULL THEN
        -- days=N alone: the N days up to the intersection's newest data (not the wall clock)
        latest := coalesce(
            (SELECT max(m.timestamp) + interval '1 minute' FROM tsi.safety_indices_realtime m WHERE m.intersection_id = legacy_window.intersection_id),
            (SELECT max(hr.hour_timestamp) + interval '1 hour' FROM tsi.safety_indices_hourly hr WHERE hr.intersection_id = legacy_window.intersection_id),
            date_trunc('minute', now()));
        start_time := latest - make_interval(days => days);
        end_time := latest;
        span_days := days;
        RETURN;
    END IF;
    -- dates: whole local days, both included; end_date defaults to today, start_date to days before end_date
    end_date := coalesce(end_date, (now() AT TIME ZONE coalesce(tz, 'UTC'))::date);
    start_date := coalesce(start_date, end_date - (days - 1));
    IF start_date > end_date THEN
        problem := 'start_date must be before or equal to end_date';
    ELSIF end_date - start_date > max_days THEN
        problem := CASE WHEN max_days = 365 THEN 'Date range cannot exceed 365 days'
                        ELSE format('All-intersections query limited to %s days. Use single-intersection endpoint for longer periods.', max_days) END;
    END IF;
    start_time := start_date::timestamp AT TIME ZONE coalesce(tz, 'UTC');
    end_time := (end_date + 1)::timestamp AT TIME ZONE coalesce(tz, 'UTC');
    span_days := end_date - start_date + 1;
END
$$;
COMMENT ON FUNCTION tsi.legacy_window(integer, integer, date, date, integer) IS
    'The time range of a legacy history or statistics request. days alone: the days days up to the intersection''s newest data (its newest '
    'minute, else hour; the wall clock without data). With start_date and/or end_date (days is then ignored unless start_date is missing): '
    'local calendar days of the intersection, both included, end_date defaulting to today and start_date to days - 1 days before end_date. '
    'span_days = the number of days; problem = the HTTP 400 message of FastAPI (start after end, more than max_days days) or NULL.';

-- Aggregation words: the old ones (1min … 1month) and the engine's (minute … month).
CREATE FUNCTION tsi.legacy_aggregation(word text, span_days integer)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE coalesce(nullif(word, ''),
                         -- the old backend's smart default by the number of days
                         CASE WHEN span_days <= 1 THEN '1min' WHEN span_days <= 7 THEN '1hour' WHEN span_days <= 30 THEN '1day'
                              WHEN span_days <= 90 THEN '1week' ELSE '1month' END)
        WHEN '1min' THEN 'minute' WHEN 'minute' THEN 'minute'
        WHEN '1hour' THEN 'hour' WHEN 'hour' THEN 'hour'
        WHEN '1day' THEN 'day' WHEN 'day' THEN 'day'
        WHEN '1week' THEN 'week' WHEN 'week' THEN 'week'
        WHEN '1month' THEN 'month' WHEN 'month' THEN 'month'
    END
$$;
COMMENT ON FUNCTION tsi.legacy_aggregation(text, integer) IS
    'The engine''s aggregation (minute, hour, day, week, month) of a legacy aggregation word (1min, 1hour, 1day, 1week, 1month or the '
    'engine''s own word); without a word the old backend''s default by span_days: ≤ 1 1min, ≤ 7 1hour, ≤ 30 1day, ≤ 90 1week, else 1month. '
    'NULL for an unknown word.';

-- The history document -------------------------------------------------------------------------

CREATE FUNCTION tsi.legacy_history_document(intersection_id integer, start_time timestamptz, end_time timestamptz, aggregation text,
                                            word text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    points jsonb;
BEGIN
    -- one series or the other: each function refuses the other's aggregations
    IF aggregation IN ('week', 'month') THEN
        SELECT jsonb_agg(to_jsonb(h) - 'aggregation' ORDER BY h.timestamp) INTO points
        FROM tsi.intersection_history_buckets(legacy_history_document.intersection_id, start_time, end_time, aggregation) h;
    ELSE
        SELECT jsonb_agg(to_jsonb(h) - 'aggregation' ORDER BY h.timestamp) INTO points
        FROM tsi.intersection_history(legacy_history_document.intersection_id, start_time, end_time, aggregation) h;
    END IF;
    IF points IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT jsonb_build_object(
                       'intersection_id', i.id::text, 'intersection_name', i.name::text, 'data_points', points,
                       'start_date', start_time, 'end_date', end_time, 'total_points', jsonb_array_length(points), 'aggregation', word)
            FROM tsi.intersections i WHERE i.id = legacy_history_document.intersection_id);
END
$$;
COMMENT ON FUNCTION tsi.legacy_history_document(integer, timestamptz, timestamptz, text, text) IS
    'The old IntersectionHistory object of one intersection: {intersection_id (a string, as the old backend had it), intersection_name, '
    'data_points: [{timestamp, safety_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week}], start_date, end_date, '
    'total_points, aggregation = word} for the series of aggregation (minute, hour, day: tsi.intersection_history; week, month: '
    'tsi.intersection_history_buckets) in start_time <= t < end_time. NULL when the range has no data (the old backend answered 404).';

COMMIT;
