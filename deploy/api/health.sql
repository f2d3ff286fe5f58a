-- Deploy trafficsafety:api/health to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION api.health()
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT jsonb_build_object(
        'status', 'ok',
        'database', current_database(),
        'server_time', now(),
        'postgres_version', current_setting('server_version'),
        'postgis_version', public.postgis_lib_version()
    )
$$;

COMMENT ON FUNCTION api.health() IS
    'Liveness: answers {"status": "ok", ...} with the server time and versions when the API reaches the database.';

COMMIT;
