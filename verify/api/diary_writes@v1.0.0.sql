-- Verify trafficsafety:api/diary_writes on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid)', 'api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid)', 'api.submit_vote(text, text, uuid)']) f;
SELECT rating_id FROM api.my_ratings WHERE false;
SELECT vote_id FROM api.my_votes WHERE false;
