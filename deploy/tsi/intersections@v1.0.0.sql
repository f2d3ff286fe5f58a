-- Deploy trafficsafety:tsi/intersections to pg
-- Design document §3.1, with the MapData fields and the local time zone added. The id is the
-- MapData intersection id (0–65535), the stable key the VCC feed uses in MapData and SPaT.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.intersections (
    id          integer PRIMARY KEY CHECK (id BETWEEN 0 AND 65535),
    name        varchar(255) NOT NULL,
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    geometry    geometry(Point, 4326)
                GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED,
    elevation   double precision,
    region      integer NOT NULL DEFAULT 0 CHECK (region BETWEEN 0 AND 65535),
    revision    integer CHECK (revision BETWEEN 0 AND 127),
    lane_count  integer CHECK (lane_count >= 0),
    lane_width  double precision CHECK (lane_width > 0),
    time_zone   text NOT NULL DEFAULT 'America/New_York',
    metadata    jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tsi.intersections IS
    'Signalised intersections of the V2X feed, one row per MapData intersection (upserted from decoded MapData).';
COMMENT ON COLUMN tsi.intersections.id IS 'MapData intersection id (0–65535), also the SPaT intersection id.';
COMMENT ON COLUMN tsi.intersections.name IS 'Display name (MapData name, or "Intersection <id>" when MapData has none).';
COMMENT ON COLUMN tsi.intersections.latitude IS 'Reference point latitude, degrees WGS84.';
COMMENT ON COLUMN tsi.intersections.longitude IS 'Reference point longitude, degrees WGS84.';
COMMENT ON COLUMN tsi.intersections.geometry IS 'Reference point as a PostGIS point (SRID 4326), derived from latitude and longitude.';
COMMENT ON COLUMN tsi.intersections.elevation IS 'Reference point elevation, metres.';
COMMENT ON COLUMN tsi.intersections.region IS 'MapData road regulator region id (0 = unknown/test).';
COMMENT ON COLUMN tsi.intersections.revision IS 'MapData revision (0–127, wraps).';
COMMENT ON COLUMN tsi.intersections.lane_count IS 'Number of entries of the MapData laneSet.';
COMMENT ON COLUMN tsi.intersections.lane_width IS 'Default lane width from MapData, metres.';
COMMENT ON COLUMN tsi.intersections.time_zone IS
    'IANA time zone of the intersection: local hour_of_day, day_of_week and days of the daily rollup.';
COMMENT ON COLUMN tsi.intersections.metadata IS 'Further MapData (speed limits, lane types …) as JSON.';

-- The design document's spatial index; distances in metres use the geography cast.
CREATE INDEX idx_intersections_geometry ON tsi.intersections USING gist (geometry);
CREATE INDEX idx_intersections_geography ON tsi.intersections USING gist ((geometry::geography));
CREATE INDEX idx_intersections_name_trgm ON tsi.intersections USING gin (name gin_trgm_ops);

-- A time zone name is checked against the server's zone database, and updated_at kept.
CREATE FUNCTION tsi.intersections_before_write()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
        RAISE EXCEPTION 'time_zone: unknown time zone "%"', NEW.time_zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an IANA name such as America/New_York.';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsi.intersections_before_write() IS
    'Trigger of tsi.intersections: rejects unknown time zones and maintains updated_at.';

CREATE TRIGGER trg_intersections_before_write
    BEFORE INSERT OR UPDATE ON tsi.intersections
    FOR EACH ROW EXECUTE FUNCTION tsi.intersections_before_write();

COMMIT;
