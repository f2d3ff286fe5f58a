-- Deploy trafficsafety:diary/write_checks to pg
-- Checks shared by the API's write functions. Every error names the field and the rule and
-- carries the SQLSTATE PostgREST maps to the right HTTP status: 22023 -> 400, PT404 -> 404,
-- 23505 -> 409, PGRST with status 429 and a Retry-After header, PT401 -> 401.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION diary.invalid(field text, rule text)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE invalid_parameter_value USING MESSAGE = field || ': ' || rule, HINT = 'field: ' || field;
END
$$;
COMMENT ON FUNCTION diary.invalid(text, text) IS 'Raises 22023 (HTTP 400) "field: rule".';

CREATE FUNCTION diary.not_found(field text, what text)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE SQLSTATE 'PT404' USING MESSAGE = field || ': ' || what, HINT = 'field: ' || field;
END
$$;
COMMENT ON FUNCTION diary.not_found(text, text) IS 'Raises PT404 (HTTP 404) "field: what".';

CREATE FUNCTION diary.require_user()
RETURNS uuid LANGUAGE plpgsql STABLE AS $$
DECLARE
    uid uuid := auth.current_user_id();
BEGIN
    IF uid IS NULL THEN
        RAISE SQLSTATE 'PT401' USING MESSAGE = 'this needs a log-in token whose sub is a user id';
    END IF;
    RETURN uid;
END
$$;
COMMENT ON FUNCTION diary.require_user() IS 'The calling user''s id; raises PT401 (HTTP 401) without one.';

CREATE FUNCTION diary.require_segment(p_segment text)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_segment IS NULL OR btrim(p_segment) = '' THEN
        PERFORM diary.invalid('segment_id', 'is required');
    END IF;
    IF NOT EXISTS (SELECT FROM diary.segments WHERE segment_id = p_segment) THEN
        PERFORM diary.not_found('segment_id', format('no segment %L', p_segment));
    END IF;
END
$$;
COMMENT ON FUNCTION diary.require_segment(text) IS 'Raises 400 for a missing and 404 for an unknown segment id.';

CREATE FUNCTION diary.check_rating_fields(p_rating integer, p_tags text[], p_comment text,
                                          p_submitted_at timestamptz, p_device text, p_source text)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_rating IS NULL OR p_rating NOT BETWEEN 1 AND 5 THEN
        PERFORM diary.invalid('rating', 'must be an integer from 1 (unsafe) to 5 (safe)');
    END IF;
    IF p_tags IS NULL THEN
        PERFORM diary.invalid('tags', 'must be an array (empty for none)');
    END IF;
    PERFORM diary.check_tags(p_tags);
    IF char_length(p_comment) > 500 THEN
        PERFORM diary.invalid('comment', 'at most 500 characters');
    END IF;
    IF p_submitted_at > now() THEN
        PERFORM diary.invalid('submitted_at', 'must not be in the future');
    END IF;
    IF p_submitted_at < now() - make_interval(hours => diary.setting('rating_max_age_hours')::integer) THEN
        PERFORM diary.invalid('submitted_at', format('must not be older than %s hours', diary.setting('rating_max_age_hours')));
    END IF;
    IF p_device NOT IN ('mobile', 'desktop', 'tablet') THEN
        PERFORM diary.invalid('device', 'must be mobile, desktop or tablet');
    END IF;
    IF p_source NOT IN ('recording', 'manual', 'community') THEN
        PERFORM diary.invalid('source', 'must be recording, manual or community');
    END IF;
END
$$;
COMMENT ON FUNCTION diary.check_rating_fields(integer, text[], text, timestamptz, text, text) IS
    'Validates the fields of a rating, raising 22023 "field: rule" on the first bad one.';

-- Serialised per user and action (advisory lock), so concurrent requests cannot both pass.
CREATE FUNCTION diary.enforce_write_limit(p_user uuid, p_action text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    lim    integer;
    used   integer;
    oldest timestamptz;
    retry  integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('diary-limit:' || p_action), hashtext(p_user::text));
    SELECT l.per_hour INTO lim
    FROM auth.users u JOIN diary.write_limits l ON l.api_tier = u.api_tier AND l.action = p_action
    WHERE u.user_id = p_user;
    IF lim IS NULL THEN
        RETURN;
    END IF;
    IF p_action = 'rating' THEN
        SELECT count(DISTINCT coalesce(submission_id, rating_id)), min(created_at) INTO used, oldest
        FROM diary.ratings WHERE user_id = p_user AND created_at > now() - interval '1 hour';
    ELSIF p_action = 'vote' THEN
        SELECT count(*), min(created_at) INTO used, oldest
        FROM diary.votes WHERE user_id = p_user AND created_at > now() - interval '1 hour';
    ELSE
        SELECT count(*), min(requested_at) INTO used, oldest
        FROM diary.route_requests WHERE user_id = p_user AND requested_at > now() - interval '1 hour';
    END IF;
    IF used < lim THEN
        IF p_action = 'route' THEN  -- counted here: a route request leaves no other row
            INSERT INTO diary.route_requests (user_id) VALUES (p_user);
        END IF;
    ELSE
        retry := greatest(1, ceil(extract(epoch FROM oldest + interval '1 hour' - now())))::integer;
        RAISE SQLSTATE 'PGRST' USING
            MESSAGE = json_build_object(
                'code', 'DIARY_LIMIT',
                'message', format('%s: at most %s per hour on the %s tier', p_action, lim,
                                  (SELECT api_tier FROM auth.users WHERE user_id = p_user)),
                'details', format('%s in the last hour', used),
                'hint', format('retry after %s seconds', retry))::text,
            DETAIL = json_build_object('status', 429,
                                       'headers', json_build_object('Retry-After', retry::text))::text;
    END IF;
END
$$;
COMMENT ON FUNCTION diary.enforce_write_limit(uuid, text) IS
    'Raises HTTP 429 with Retry-After when the user''s tier allows no more writes of this kind in the rolling hour.';

CREATE FUNCTION diary.bbox_envelope(bbox text)
RETURNS geometry LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    p numeric[];
BEGIN
    BEGIN
        p := string_to_array(replace(bbox, ' ', ''), ',')::numeric[];
    EXCEPTION WHEN invalid_text_representation THEN
        PERFORM diary.invalid('bbox', 'must be four numbers west,south,east,north');
    END;
    IF cardinality(p) IS DISTINCT FROM 4 OR array_position(p, NULL) IS NOT NULL THEN
        PERFORM diary.invalid('bbox', 'must be four numbers west,south,east,north');
    END IF;
    IF p[1] NOT BETWEEN -180 AND 180 OR p[3] NOT BETWEEN -180 AND 180
       OR p[2] NOT BETWEEN -90 AND 90 OR p[4] NOT BETWEEN -90 AND 90 THEN
        PERFORM diary.invalid('bbox', 'longitudes within [-180, 180], latitudes within [-90, 90]');
    END IF;
    IF p[1] >= p[3] OR p[2] >= p[4] THEN
        PERFORM diary.invalid('bbox', 'west < east and south < north');
    END IF;
    RETURN public.st_makeenvelope(p[1], p[2], p[3], p[4], 4326);
END
$$;
COMMENT ON FUNCTION diary.bbox_envelope(text) IS 'The WGS84 envelope of "west,south,east,north"; 22023 naming bbox when malformed.';

CREATE FUNCTION diary.check_between(field text, value numeric, low numeric, high numeric)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF value IS NULL OR value NOT BETWEEN low AND high THEN
        PERFORM diary.invalid(field, format('must be between %s and %s', low, high));
    END IF;
    RETURN value;
END
$$;
COMMENT ON FUNCTION diary.check_between(text, numeric, numeric, numeric) IS 'The value when low <= value <= high, else 22023 naming the field.';

COMMIT;
