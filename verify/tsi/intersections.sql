-- Verify trafficsafety:tsi/intersections on pg
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_proc WHERE oid = 'tsi.intersections_before_write()'::regprocedure
                                         AND prosrc LIKE '%tsi.known_time_zones%') THEN
        RAISE EXCEPTION 'tsi.intersections_before_write does not remember the time zones it found';
    END IF;
END
$$;
