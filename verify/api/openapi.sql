-- Verify trafficsafety:api/openapi on pg
BEGIN;
SELECT has_function_privilege('api.openapi()', 'execute');
DO $$
BEGIN
    IF (api.openapi() ->> 'swagger') IS DISTINCT FROM '2.0' THEN
        RAISE EXCEPTION 'api.openapi() does not give an OpenAPI 2.0 document';
    END IF;
END
$$;
ROLLBACK;
