-- Revert trafficsafety:api/diary_grants from pg
BEGIN;

REVOKE SELECT ON api.my_account, api.my_ratings, api.my_votes FROM web_user;
REVOKE EXECUTE ON FUNCTION
    api.delete_account(),
    api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid),
    api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid),
    api.submit_vote(text, text, uuid),
    api.create_route(text, text[], boolean),
    api.rename_route(uuid, text),
    api.delete_route(uuid)
FROM web_user;
REVOKE SELECT ON api.diary_tags, api.routes FROM web_anon, web_user;
REVOKE EXECUTE ON FUNCTION
    api.sign_up(text, text, text), api.log_in(text, text), api.segments(text, numeric, timestamptz), api.diary_health()
FROM web_anon, web_user;

COMMIT;
