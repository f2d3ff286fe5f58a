-- Deploy trafficsafety:diary/rating_limits to pg
-- The API's rules on ratings counted on the server's clock: a rating's created_at (the time its
-- write arrived, default now()), never the submitted_at a client claims. A client may backdate
-- submitted_at by up to 24 h (offline recording), so the table's exclusion constraint on
-- submitted_at spans alone let one account rate a segment every few minutes with times an hour
-- apart. A trip counts each rating it writes.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Serialised per user with diary.enforce_write_limit's lock, so concurrent requests of one user
-- cannot both pass: the checks run after the lock is held and see every committed rating.
CREATE FUNCTION diary.enforce_rating_limits(p_user uuid, p_segments text[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    lim    integer;
    tier   text;
    n      integer := cardinality(p_segments);
    used   integer;
    seg    text;
    freed  timestamptz;
    retry  integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('diary-limit:rating'), hashtext(p_user::text));
    -- A token may outlive its account (the pre-request check refuses it first behind PostgREST):
    -- 401, not the foreign-key error of the insert.
    SELECT u.api_tier INTO tier FROM auth.users u WHERE u.user_id = p_user AND u.is_active;
    IF NOT FOUND THEN
        RAISE SQLSTATE 'PT401' USING MESSAGE = 'this token''s account was deleted or deactivated';
    END IF;
    SELECT l.per_hour INTO lim FROM diary.write_limits l WHERE l.api_tier = tier AND l.action = 'rating';
    IF lim IS NOT NULL THEN
        IF n > lim THEN
            PERFORM diary.invalid('segment_ids', format('at most %s ratings per hour on the %s tier', lim, tier));
        END IF;
        SELECT count(*) INTO used FROM diary.ratings
        WHERE user_id = p_user AND created_at > now() - interval '1 hour';
        IF used + n > lim THEN
            -- n more fit once the (used + n - lim) oldest ratings of the hour are an hour old
            SELECT created_at INTO freed FROM diary.ratings
            WHERE user_id = p_user AND created_at > now() - interval '1 hour'
            ORDER BY created_at OFFSET used + n - lim - 1 LIMIT 1;
            retry := greatest(1, ceil(extract(epoch FROM freed + interval '1 hour' - now())))::integer;
            RAISE SQLSTATE 'PGRST' USING
                MESSAGE = json_build_object(
                    'code', 'DIARY_LIMIT',
                    'message', format('rating: at most %s per hour on the %s tier', lim, tier),
                    'details', format('%s in the last hour, %s more asked', used, n),
                    'hint', format('retry after %s seconds', retry))::text,
                DETAIL = json_build_object('status', 429,
                                           'headers', json_build_object('Retry-After', retry::text))::text;
        END IF;
    END IF;
    SELECT r.segment_id INTO seg FROM diary.ratings r
    WHERE r.user_id = p_user AND r.created_at > now() - interval '1 hour' AND r.segment_id = ANY (p_segments)
    ORDER BY r.created_at DESC LIMIT 1;
    IF seg IS NOT NULL THEN
        RAISE unique_violation USING
            MESSAGE = format('segment_id: you rated segment %s less than an hour ago', seg),
            HINT = 'one rating per user and segment per hour, counted from when the rating arrived';
    END IF;
END
$$;
COMMENT ON FUNCTION diary.enforce_rating_limits(uuid, text[]) IS
    'Before the user writes one rating per segment given: 409 when one was rated by the user in the last hour (by arrival time), 429 with Retry-After when the ratings of the last hour plus these exceed the tier''s limit.';

COMMENT ON TABLE diary.write_limits IS
    'Writes a user of a tier may make per rolling hour, counted by arrival time (a trip counts each rating it writes).';

COMMIT;
