-- Verify trafficsafety:api/diary_writes on pg
-- The reworked functions call diary.enforce_rating_limits.
DO $$
BEGIN
    IF position('enforce_rating_limits' IN pg_get_functiondef('api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid)'::regprocedure)) = 0
       OR position('enforce_rating_limits' IN pg_get_functiondef('api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid)'::regprocedure)) = 0 THEN
        RAISE EXCEPTION 'api.submit_rating and api.submit_trip do not count on the server''s clock';
    END IF;
END
$$;
SELECT rating_id FROM api.my_ratings WHERE false;
SELECT vote_id FROM api.my_votes WHERE false;
