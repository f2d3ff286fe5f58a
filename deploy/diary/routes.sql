-- Deploy trafficsafety:diary/routes to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE diary.routes (
    route_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES auth.users (user_id) ON DELETE CASCADE,
    route_name       varchar(200) NOT NULL CHECK (btrim(route_name) <> ''),
    segment_ids      text[] NOT NULL CHECK (cardinality(segment_ids) > 0),
    geometry         geometry(LineString, 4326) NOT NULL,
    length_m         numeric(8, 2) NOT NULL CHECK (length_m > 0),
    duration_min     numeric(6, 2) NOT NULL CHECK (duration_min > 0),
    avg_safety       numeric(3, 2) CHECK (avg_safety BETWEEN 1.00 AND 5.00),
    alt_segment_ids  text[],
    alt_geometry     geometry(LineString, 4326),
    alt_length_m     numeric(8, 2) CHECK (alt_length_m > 0),
    alt_duration_min numeric(6, 2) CHECK (alt_duration_min > 0),
    alt_avg_safety   numeric(3, 2) CHECK (alt_avg_safety BETWEEN 1.00 AND 5.00),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    is_public        boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE diary.routes IS 'Routes users saved (primary and optional alternative); public ones are readable by all.';

CREATE INDEX idx_routes_user ON diary.routes (user_id, created_at DESC);
CREATE INDEX idx_routes_geometry ON diary.routes USING gist (geometry);
CREATE INDEX idx_routes_public ON diary.routes (is_public) WHERE is_public;
CREATE INDEX idx_routes_segments ON diary.routes USING gin (segment_ids);
CREATE INDEX idx_routes_alt_segments ON diary.routes USING gin (alt_segment_ids);

CREATE TRIGGER routes_updated_at BEFORE UPDATE ON diary.routes
    FOR EACH ROW EXECUTE FUNCTION diary.touch_updated_at();

CREATE TABLE diary.route_requests (
    user_id      uuid NOT NULL REFERENCES auth.users (user_id) ON DELETE CASCADE,
    requested_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE diary.route_requests IS
    'When a user asked for a route or saved one (for the per-tier limit); no places are stored.';
CREATE INDEX idx_route_requests_user ON diary.route_requests (user_id, requested_at DESC);

COMMIT;
