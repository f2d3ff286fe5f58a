-- Deploy trafficsafety:api/diary_grants to pg
-- Anonymous callers read scores, tags, public routes and health, and may sign up or log in;
-- everything that writes or is personal needs a token (web_user).
BEGIN;

GRANT EXECUTE ON FUNCTION
    api.sign_up(text, text, text),
    api.log_in(text, text),
    api.segments(text, numeric, timestamptz),
    api.diary_health()
TO web_anon, web_user;
GRANT SELECT ON api.diary_tags, api.routes TO web_anon, web_user;

GRANT EXECUTE ON FUNCTION
    api.delete_account(),
    api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid),
    api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid),
    api.submit_vote(text, text, uuid),
    api.create_route(text, text[], boolean),
    api.rename_route(uuid, text),
    api.delete_route(uuid)
TO web_user;
GRANT SELECT ON api.my_account, api.my_ratings, api.my_votes TO web_user;

COMMIT;
