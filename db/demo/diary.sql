-- Deterministic demo data of the route safety diary, loaded by `make up` into an empty diary
-- (db/scripts/demo.sh): Philadelphia's Center City street grid (553 block segments between
-- Vine and Christian, 2nd and 22nd Streets), 40 users (demo01..demo40@example.org, password
-- "demo password"), routes, about 6 000 ratings and 2 000 votes over the last 180 days.
-- Times are relative to now so the scores are fresh; everything else repeats exactly (setseed).
\set ON_ERROR_STOP on
SELECT NOT EXISTS (SELECT FROM diary.segments WHERE segment_id LIKE 'phl-%') AS load_demo \gset
\if :load_demo
BEGIN;
SELECT setseed(0.2026);

CREATE TEMP TABLE ew (j integer, name text, lat double precision) ON COMMIT DROP;
INSERT INTO ew VALUES (0, 'Vine St', 39.9580), (1, 'Race St', 39.9556), (2, 'Arch St', 39.9536), (3, 'Market St', 39.9520),
    (4, 'Chestnut St', 39.9505), (5, 'Walnut St', 39.9491), (6, 'Locust St', 39.9478), (7, 'Spruce St', 39.9465),
    (8, 'Pine St', 39.9451), (9, 'Lombard St', 39.9437), (10, 'South St', 39.9423), (11, 'Bainbridge St', 39.9410),
    (12, 'Fitzwater St', 39.9397), (13, 'Christian St', 39.9384);
CREATE TEMP TABLE ns (i integer, name text, lng double precision) ON COMMIT DROP;
INSERT INTO ns SELECT i, CASE WHEN i + 2 = 14 THEN 'Broad St'
                              ELSE (i + 2) || CASE WHEN (i + 2) % 10 = 1 AND i + 2 <> 11 THEN 'st'
                                                   WHEN (i + 2) % 10 = 2 AND i + 2 <> 12 THEN 'nd'
                                                   WHEN (i + 2) % 10 = 3 AND i + 2 <> 13 THEN 'rd' ELSE 'th' END || ' St' END,
                      -75.1434 - i * 0.00165
FROM generate_series(0, 20) i;

INSERT INTO diary.segments (segment_id, street, neighborhood, length_m, geometry)
SELECT id, street, CASE WHEN lat_mid > 39.9520 AND lng_mid > -75.1550 THEN 'Old City'
                        WHEN lat_mid > 39.9520 THEN 'Logan Square'
                        WHEN lat_mid < 39.9423 THEN 'Bella Vista'
                        WHEN lng_mid > -75.1500 THEN 'Society Hill'
                        WHEN lng_mid > -75.1636 THEN 'Washington Square West'
                        ELSE 'Rittenhouse' END,
       round(ST_Length(g::geography)::numeric, 2), g
FROM (
    SELECT format('phl-%s-%s', lower(replace(e.name, ' ', '')), a.i) AS id, e.name AS street, e.lat AS lat_mid,
           (a.lng + b.lng) / 2 AS lng_mid,
           ST_SetSRID(ST_MakeLine(ST_MakePoint(a.lng, e.lat), ST_MakePoint(b.lng, e.lat)), 4326) AS g
    FROM ew e JOIN ns a ON true JOIN ns b ON b.i = a.i + 1
    UNION ALL
    SELECT format('phl-%s-%s', lower(replace(n.name, ' ', '')), a.j), n.name, (a.lat + b.lat) / 2, n.lng,
           ST_SetSRID(ST_MakeLine(ST_MakePoint(n.lng, a.lat), ST_MakePoint(n.lng, b.lat)), 4326)
    FROM ns n JOIN ew a ON true JOIN ew b ON b.j = a.j + 1
) s;

INSERT INTO auth.users (user_id, email, password_hash, display_name, api_tier)
SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, format('demo%s@example.org', lpad(i::text, 2, '0')),
       crypt('demo password', gen_salt('bf', 8)), format('Demo user %s', i),
       CASE WHEN i % 10 = 0 THEN 'premium' ELSE 'free' END
FROM generate_series(1, 40) i;

-- A segment's "true" safety: safer to the west, a dark patch around South St, Old City getting
-- safer over the months; ratings scatter around it.
CREATE TEMP TABLE truth ON COMMIT DROP AS
SELECT segment_id, neighborhood,
       2.6 + 1.5 * (ST_X(ST_StartPoint(geometry)) - (-75.1434)) / (-75.1764 - (-75.1434))
       - CASE WHEN street IN ('South St', 'Bainbridge St') THEN 0.8 ELSE 0 END AS base
FROM diary.segments WHERE segment_id LIKE 'phl-%';

INSERT INTO diary.ratings (segment_id, user_id, rating, tags, submitted_at, device, source)
SELECT t.segment_id, u, r, tags, at, (ARRAY['mobile', 'mobile', 'desktop', 'tablet'])[1 + floor(random() * 4)::integer],
       (ARRAY['recording', 'manual', 'community'])[1 + floor(random() * 3)::integer]
FROM (
    SELECT segment_id, ('00000000-0000-4000-8000-' || lpad((1 + floor(random() * 40))::text, 12, '0'))::uuid AS u, at,
           greatest(1, least(5, round(base + CASE WHEN neighborhood = 'Old City' THEN 1.2 * (1 - age / 180.0) * -1 + 0.6 ELSE 0 END
                                     + (random() + random() + random() - 1.5) * 1.6)))::smallint AS r,
           random() AS p1, random() AS p2
    FROM truth, generate_series(1, 11) k,
         LATERAL (SELECT random() * 180 + 0 * k AS age) a,  -- 0 * k: drawn per row, not once
         LATERAL (SELECT now() - make_interval(secs => a.age * 86400) AS at) b
) t
CROSS JOIN LATERAL (
    SELECT CASE WHEN t.p1 < 0.35 THEN ARRAY(
        SELECT DISTINCT tag FROM (VALUES (CASE WHEN t.r <= 2 THEN (ARRAY['poor_lighting', 'speeding_cars', 'strangers_loitering', 'low_foot_traffic'])[1 + floor(t.p2 * 4)::integer]
                                                ELSE (ARRAY['potholes', 'bike_conflict', 'construction_blockage', 'dogs', 'no_sidewalk', 'blocked_crosswalk', 'cars_too_close', 'other'])[1 + floor(t.p2 * 8)::integer] END),
                                         (CASE WHEN t.p2 < 0.3 THEN 'poor_lighting' END)) v(tag)
        WHERE tag IS NOT NULL) ELSE '{}'::text[] END AS tags
) tg
ON CONFLICT DO NOTHING;

INSERT INTO diary.votes (segment_id, user_id, action, submitted_at)
SELECT (SELECT segment_id FROM truth ORDER BY segment_id OFFSET floor(random() * 553 + 0 * g) LIMIT 1),
       ('00000000-0000-4000-8000-' || lpad((1 + floor(random() * 40))::text, 12, '0'))::uuid,
       CASE WHEN random() < 0.6 THEN 'agree' ELSE 'safer' END, now() - random() * interval '180 days'
FROM generate_series(1, 2000) g
ON CONFLICT DO NOTHING;

-- Routes along a street: six blocks of a user's "commute".
INSERT INTO diary.routes (user_id, route_name, segment_ids, geometry, length_m, duration_min, avg_safety, is_public)
SELECT u.user_id, format('%s commute', e.name), array_agg(s.segment_id ORDER BY a.i),
       ST_MakeLine(array_agg(s.geometry ORDER BY a.i)), sum(s.length_m), round(sum(s.length_m) / (5000 / 60.0), 2),
       round(sum(g.decayed_mean * s.length_m) / sum(s.length_m), 2), u.n % 2 = 0
FROM (SELECT user_id, row_number() OVER (ORDER BY email) AS n FROM auth.users WHERE email LIKE 'demo%@example.org') u
JOIN ew e ON e.j = u.n % 14
JOIN ns a ON a.i BETWEEN u.n % 14 AND u.n % 14 + 5
JOIN diary.segments s ON s.segment_id = format('phl-%s-%s', lower(replace(e.name, ' ', '')), a.i)
JOIN analytics.segment_aggregates g ON g.segment_id = s.segment_id
WHERE u.n <= 12
GROUP BY u.user_id, u.n, e.name;

CALL analytics.repair_segment_aggregates(now());
COMMIT;
SELECT format('demo diary: %s segments, %s users, %s ratings, %s votes, %s routes',
              (SELECT count(*) FROM diary.segments), (SELECT count(*) FROM auth.users),
              (SELECT count(*) FROM diary.ratings), (SELECT count(*) FROM diary.votes),
              (SELECT count(*) FROM diary.routes)) AS loaded \gset
\echo :loaded
\else
\echo demo diary already loaded
\endif
