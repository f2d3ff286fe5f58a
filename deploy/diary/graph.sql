-- Deploy trafficsafety:diary/graph to pg
-- The routing graph derived from diary.segments: one edge per segment, its end points snapped
-- to shared nodes within a tolerance. Rebuilt by diary.rebuild_graph() whenever segments change.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE diary.graph_nodes (
    node_id bigint PRIMARY KEY,
    geom    geometry(Point, 4326) NOT NULL
);
COMMENT ON TABLE diary.graph_nodes IS 'Routing graph nodes: segment end points merged within snap_tolerance_m.';
CREATE INDEX idx_graph_nodes_geom ON diary.graph_nodes USING gist (geom);

CREATE TABLE diary.graph_edges (
    edge_id    bigint PRIMARY KEY,
    segment_id varchar(50) NOT NULL UNIQUE REFERENCES diary.segments (segment_id) ON DELETE CASCADE,
    source     bigint NOT NULL REFERENCES diary.graph_nodes (node_id),
    target     bigint NOT NULL REFERENCES diary.graph_nodes (node_id),
    length_m   numeric(8, 2) NOT NULL,
    x1 double precision NOT NULL, y1 double precision NOT NULL,
    x2 double precision NOT NULL, y2 double precision NOT NULL,
    geom       geometry(LineString, 4326) NOT NULL
);
COMMENT ON TABLE diary.graph_edges IS 'Routing graph edges, one per segment (undirected), with node coordinates for A*.';
CREATE INDEX idx_graph_edges_geom ON diary.graph_edges USING gist (geom);

INSERT INTO diary.settings (key, value, description) VALUES
    ('snap_tolerance_m', 2, 'Segment end points closer than this are one graph node, metres'),
    ('route_max_km', 10, 'Origin and destination may be at most this far apart, km'),
    ('route_snap_max_m', 500, 'Origin and destination must be within this distance of a graph node, metres'),
    ('route_search_margin_m', 2000, 'The route search looks at edges within this margin around origin and destination, metres');

COMMIT;
