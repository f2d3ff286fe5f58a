-- Deploy trafficsafety:api/json_arguments to pg
-- PostgREST passes the query-string arguments of GET /rpc/… as JSON strings, also to jsonb
-- parameters: ?waypoints=[[1,2],[3,4]] arrives as the JSON string "[[1,2],[3,4]]". The API's
-- jsonb arguments go through this reader, which parses such a string and, unlike a plain cast,
-- names the argument when it is not JSON. A private helper of the api functions, kept in tsi
-- (everything in api is an endpoint).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION tsi.jsonb_argument(value jsonb, argument text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF jsonb_typeof(value) = 'string' THEN
        BEGIN
            RETURN (value #>> '{}')::jsonb;
        EXCEPTION WHEN invalid_text_representation THEN
            RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                MESSAGE = format('%s is not valid JSON: %s', argument, SQLERRM);
        END;
    END IF;
    RETURN value;
END
$$;
COMMENT ON FUNCTION tsi.jsonb_argument(jsonb, text) IS
    'A jsonb argument of the API as meant: a JSON string holding a JSON document (how PostgREST passes GET query arguments) is parsed, '
    'anything else returned as it is. Raises 22023 naming argument when the string is not JSON.';

COMMIT;
