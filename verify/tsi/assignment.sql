-- Verify trafficsafety:tsi/assignment on pg
DO $$
BEGIN
    IF EXISTS (SELECT FROM tsi.nearest_intersections('{}', '{}', '{}')) THEN
        RAISE EXCEPTION 'tsi.nearest_intersections of no positions found some';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_proc WHERE oid = 'tsi.nearest_intersections(double precision[], double precision[], double precision[])'::regprocedure
                                         AND prosrc LIKE '%grid.r IS NOT NULL%') THEN
        RAISE EXCEPTION 'tsi.nearest_intersections makes grid cells for no positions';
    END IF;
END
$$;
