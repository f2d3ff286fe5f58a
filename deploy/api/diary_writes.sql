-- Deploy trafficsafety:api/diary_writes to pg
-- Reworked after v1.0.0: the duplicate and rate rules of ratings count on the server's clock
-- (diary.enforce_rating_limits: when a rating arrived, whatever submitted_at the client claims),
-- and a trip counts each rating it writes against the tier's limit (it counted once for up to
-- 500). Votes and the views are as released.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION api.submit_rating(segment_id text, rating integer, tags text[] DEFAULT '{}',
                                  comment text DEFAULT NULL, rating_id uuid DEFAULT NULL,
                                  submitted_at timestamptz DEFAULT NULL, device text DEFAULT NULL,
                                  source text DEFAULT 'manual', route_id uuid DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid uuid := diary.require_user();
    r   diary.ratings;
BEGIN
    IF submit_rating.rating_id IS NOT NULL THEN
        SELECT * INTO r FROM diary.ratings x WHERE x.rating_id = submit_rating.rating_id AND x.user_id = uid;
        IF FOUND THEN  -- a retry: the rating exists, nothing new is created
            RETURN to_jsonb(r) || jsonb_build_object('created', false);
        END IF;
    END IF;
    PERFORM diary.check_rating_fields(submit_rating.rating, submit_rating.tags, submit_rating.comment,
                                      submit_rating.submitted_at, submit_rating.device, submit_rating.source);
    PERFORM diary.require_segment(submit_rating.segment_id);
    IF submit_rating.route_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM diary.routes x WHERE x.route_id = submit_rating.route_id
                                                  AND (x.user_id = uid OR x.is_public)) THEN
        PERFORM diary.not_found('route_id', 'no route of yours or public with this id');
    END IF;
    PERFORM diary.enforce_rating_limits(uid, ARRAY[submit_rating.segment_id::text]);
    BEGIN
        INSERT INTO diary.ratings (rating_id, segment_id, route_id, user_id, rating, tags, comment,
                                   submitted_at, device, source)
        VALUES (coalesce(submit_rating.rating_id, gen_random_uuid()), submit_rating.segment_id,
                submit_rating.route_id, uid, submit_rating.rating, submit_rating.tags, submit_rating.comment,
                coalesce(submit_rating.submitted_at, now()), submit_rating.device, submit_rating.source)
        RETURNING * INTO r;
    EXCEPTION
        WHEN exclusion_violation THEN
            RAISE unique_violation USING
                MESSAGE = format('segment_id: you rated segment %s less than an hour before or after this rating',
                                 submit_rating.segment_id),
                HINT = 'one rating per user and segment per rolling hour';
        WHEN unique_violation THEN
            RAISE unique_violation USING MESSAGE = 'rating_id: this id is already taken', HINT = 'field: rating_id';
    END;
    RETURN to_jsonb(r) || jsonb_build_object(
        'created', true,
        'segment', (SELECT to_jsonb(a) - 'geometry' FROM analytics.segment_aggregates a
                    WHERE a.segment_id = r.segment_id));
END
$$;
COMMENT ON FUNCTION api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid) IS
    'Rate a segment 1 (unsafe) to 5 (safe) with up to 5 tags and a comment. Send your own rating_id to make retries safe: a retry returns the existing rating. 409 when you rated the segment within the last hour (counted from when your ratings arrived, whatever submitted_at says), 429 over your tier''s limit.';

CREATE OR REPLACE FUNCTION api.submit_trip(submission_id uuid, segment_ids text[], rating integer,
                                tags text[] DEFAULT '{}', comment text DEFAULT NULL,
                                overrides jsonb DEFAULT '[]', submitted_at timestamptz DEFAULT NULL,
                                device text DEFAULT NULL, route_id uuid DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid     uuid := diary.require_user();
    max_ovr integer := diary.setting('trip_max_overrides');
    ovr     jsonb;
    missing text;
    result  jsonb;
BEGIN
    IF submit_trip.submission_id IS NULL THEN
        PERFORM diary.invalid('submission_id', 'is required (a UUID the client generates once per trip)');
    END IF;
    SELECT jsonb_agg(jsonb_build_object('rating_id', x.rating_id, 'segment_id', x.segment_id, 'rating', x.rating)
                     ORDER BY array_position(submit_trip.segment_ids, x.segment_id::text))
    INTO result FROM diary.ratings x WHERE x.user_id = uid AND x.submission_id = submit_trip.submission_id;
    IF result IS NOT NULL THEN  -- a retry
        RETURN jsonb_build_object('submission_id', submit_trip.submission_id, 'created', false, 'ratings', result);
    END IF;

    IF submit_trip.segment_ids IS NULL OR cardinality(submit_trip.segment_ids) = 0 THEN
        PERFORM diary.invalid('segment_ids', 'at least one segment');
    END IF;
    IF cardinality(submit_trip.segment_ids) > 500 THEN
        PERFORM diary.invalid('segment_ids', 'at most 500 segments');
    END IF;
    IF array_position(submit_trip.segment_ids, NULL) IS NOT NULL
       OR cardinality(submit_trip.segment_ids) <> (SELECT count(DISTINCT s) FROM unnest(submit_trip.segment_ids) s) THEN
        PERFORM diary.invalid('segment_ids', 'each segment once, no nulls');
    END IF;
    PERFORM diary.check_rating_fields(submit_trip.rating, submit_trip.tags, submit_trip.comment,
                                      submit_trip.submitted_at, submit_trip.device, 'recording');
    IF jsonb_typeof(submit_trip.overrides) IS DISTINCT FROM 'array' THEN
        PERFORM diary.invalid('overrides', 'must be an array of {"segment_id", "rating"}');
    END IF;
    IF jsonb_array_length(submit_trip.overrides) > max_ovr THEN
        PERFORM diary.invalid('overrides', format('at most %s per trip', max_ovr));
    END IF;
    FOR ovr IN SELECT * FROM jsonb_array_elements(submit_trip.overrides) LOOP
        IF jsonb_typeof(ovr) <> 'object' OR NOT (ovr ->> 'segment_id' = ANY (submit_trip.segment_ids)) THEN
            PERFORM diary.invalid('overrides', 'each override names a segment of segment_ids');
        END IF;
        IF jsonb_typeof(ovr -> 'rating') <> 'number' OR (ovr ->> 'rating')::numeric NOT IN (1, 2, 3, 4, 5) THEN
            PERFORM diary.invalid('overrides.rating', 'must be an integer from 1 to 5');
        END IF;
    END LOOP;
    IF (SELECT count(DISTINCT o ->> 'segment_id') FROM jsonb_array_elements(submit_trip.overrides) o)
       <> jsonb_array_length(submit_trip.overrides) THEN
        PERFORM diary.invalid('overrides', 'one override per segment');
    END IF;
    SELECT s INTO missing FROM unnest(submit_trip.segment_ids) s
    WHERE NOT EXISTS (SELECT FROM diary.segments g WHERE g.segment_id = s) LIMIT 1;
    IF missing IS NOT NULL THEN
        PERFORM diary.not_found('segment_ids', format('no segment %L', missing));
    END IF;
    IF submit_trip.route_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM diary.routes x WHERE x.route_id = submit_trip.route_id
                                                  AND (x.user_id = uid OR x.is_public)) THEN
        PERFORM diary.not_found('route_id', 'no route of yours or public with this id');
    END IF;
    PERFORM diary.enforce_rating_limits(uid, submit_trip.segment_ids);

    BEGIN
        WITH ins AS (
            INSERT INTO diary.ratings (segment_id, route_id, user_id, submission_id, rating, tags, comment,
                                       submitted_at, device, source)
            SELECT s.seg, submit_trip.route_id, uid, submit_trip.submission_id,
                   coalesce((o.value ->> 'rating')::smallint, submit_trip.rating::smallint),
                   submit_trip.tags, submit_trip.comment, coalesce(submit_trip.submitted_at, now()),
                   submit_trip.device, 'recording'
            FROM unnest(submit_trip.segment_ids) WITH ORDINALITY AS s(seg, ord)
            LEFT JOIN jsonb_array_elements(submit_trip.overrides) o ON o.value ->> 'segment_id' = s.seg
            ORDER BY s.ord
            RETURNING diary.ratings.rating_id, diary.ratings.segment_id, diary.ratings.rating
        )
        SELECT jsonb_agg(jsonb_build_object('rating_id', i.rating_id, 'segment_id', i.segment_id, 'rating', i.rating)
                         ORDER BY array_position(submit_trip.segment_ids, i.segment_id::text))
        INTO result FROM ins i;
    EXCEPTION
        WHEN exclusion_violation THEN
            RAISE unique_violation USING
                MESSAGE = 'segment_ids: you rated one of these segments less than an hour before or after this trip',
                HINT = 'one rating per user and segment per rolling hour';
        WHEN unique_violation THEN
            RAISE unique_violation USING MESSAGE = 'submission_id: this id is already taken', HINT = 'field: submission_id';
    END;
    RETURN jsonb_build_object('submission_id', submit_trip.submission_id, 'created', true, 'ratings', result);
END
$$;
COMMENT ON FUNCTION api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid) IS
    'Rate a travelled trip: one rating per segment of segment_ids with the overall rating, except up to 2 overrides [{"segment_id", "rating"}]. The client-generated submission_id makes retries safe. Each rating counts against your tier''s hourly limit; 409 when you rated one of the segments within the last hour.';

COMMIT;
