-- What the upgrade test compares before and after `sqitch deploy` of HEAD onto a release: the
-- data tests/upgrade/load.sql wrote, as one line per table. Source data (messages, intersections,
-- users, segments, ratings, routes) row by row; derived data (features, indices, rollups) by
-- count and key, since a later release may rescore it.
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
SET TimeZone = 'UTC';
SELECT 'tsi.intersections', count(*), md5(string_agg(format('%s|%s|%s|%s', id, name, latitude, longitude), ',' ORDER BY id))
FROM tsi.intersections WHERE id IN (9901, 9902)
UNION ALL
SELECT 'tsi.bsm_messages', count(*), md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s', ts_second, vehicle_id, msg_cnt, sec_mark, intersection_id, speed, latitude),
                                                   ',' ORDER BY ts_second, vehicle_id, msg_cnt, sec_mark))
FROM tsi.bsm_messages WHERE intersection_id IN (9901, 9902)
UNION ALL
SELECT 'tsi.psm_messages', count(*), md5(string_agg(format('%s|%s|%s|%s|%s', ts_second, psm_id, msg_cnt, sec_mark, intersection_id),
                                                   ',' ORDER BY ts_second, psm_id, msg_cnt, sec_mark))
FROM tsi.psm_messages WHERE intersection_id IN (9901, 9902)
UNION ALL
SELECT 'tsi.features_minute', count(*), md5(string_agg(format('%s|%s', intersection_id, minute), ',' ORDER BY intersection_id, minute))
FROM tsi.features_minute WHERE intersection_id IN (9901, 9902)
UNION ALL
SELECT 'tsi.safety_indices_realtime', count(*), md5(string_agg(format('%s|%s', intersection_id, timestamp), ',' ORDER BY intersection_id, timestamp))
FROM tsi.safety_indices_realtime WHERE intersection_id IN (9901, 9902)
UNION ALL
SELECT 'tsi.safety_indices_hourly', count(*), md5(string_agg(format('%s|%s', intersection_id, hour_timestamp), ',' ORDER BY intersection_id, hour_timestamp))
FROM tsi.safety_indices_hourly WHERE intersection_id IN (9901, 9902)
UNION ALL
SELECT 'auth.users', count(*), md5(string_agg(format('%s|%s|%s|%s', user_id, email, password_hash, display_name), ',' ORDER BY user_id))
FROM auth.users WHERE email = 'upgrade@example.org'
UNION ALL
SELECT 'diary.segments', count(*), md5(string_agg(format('%s|%s|%s|%s', segment_id, street, length_m, ST_AsText(geometry)), ',' ORDER BY segment_id))
FROM diary.segments WHERE segment_id LIKE 'upg%'
UNION ALL
SELECT 'diary.ratings', count(*), md5(string_agg(format('%s|%s|%s|%s|%s|%s', rating_id, segment_id, user_id, rating, tags, submitted_at), ',' ORDER BY rating_id))
FROM diary.ratings WHERE segment_id LIKE 'upg%'
UNION ALL
SELECT 'diary.routes', count(*), md5(string_agg(format('%s|%s|%s|%s', route_id, route_name, segment_ids, is_public), ',' ORDER BY route_id))
FROM diary.routes WHERE route_name = 'Upgrade walk';
