-- Deploy trafficsafety:analytics/segment_aggregates to pg
-- delta_30d's recent window includes its end (now), so a rating written in this transaction counts.
-- The seed's columns, current at the time of reading: decayed mean and n_eff from the running
-- sums, top tags and delta_30d from the segment's own window of ratings (index range scans).
-- Not security_invoker on purpose: it publishes aggregates of ratings nobody else may read.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE VIEW analytics.segment_aggregates AS
WITH cfg AS (
    SELECT max(value) FILTER (WHERE key = 'decay_half_life_days')::double precision AS half_life,
           make_interval(days => max(value) FILTER (WHERE key = 'window_days')::integer) AS win,
           max(value) FILTER (WHERE key = 'prior_mean') AS prior_mean,
           max(value) FILTER (WHERE key = 'prior_weight') AS prior_weight,
           max(value) FILTER (WHERE key = 'confidence_full_n') AS full_n,
           make_interval(days => max(value) FILTER (WHERE key = 'delta_recent_days')::integer) AS recent,
           make_interval(days => max(value) FILTER (WHERE key = 'delta_earlier_days')::integer) AS earlier
    FROM diary.settings
)
SELECT s.segment_id,
       s.street,
       s.neighborhood,
       s.length_m,
       s.geometry,
       round(diary.shrink(d.observed_mean, d.n_eff, cfg.prior_mean, cfg.prior_weight), 2) AS decayed_mean,
       round(d.n_eff, 2) AS n_eff,
       round(diary.confidence(d.n_eff, cfg.full_n), 2) AS confidence,
       coalesce(tt.top_tags, '{}') AS top_tags,
       round(diary.window_delta(dl.recent_mean, dl.earlier_mean), 2) AS delta_30d,
       coalesce(ss.n_samples, 0) AS n_samples,
       greatest(s.updated_at, ss.last_updated) AS last_updated,
       now() AS computed_at
FROM diary.segments s
CROSS JOIN cfg
LEFT JOIN analytics.segment_sums ss ON ss.segment_id = s.segment_id
CROSS JOIN LATERAL (
    SELECT (ss.sum_wx / nullif(ss.sum_w, 0))::numeric AS observed_mean,
           coalesce(ss.sum_w * diary.decay_weight(extract(epoch FROM now() - ss.ref_at) / 86400, cfg.half_life), 0)::numeric AS n_eff
) d
CROSS JOIN LATERAL (
    SELECT array_agg(tag ORDER BY n DESC, tag) AS top_tags
    FROM (SELECT t.tag, count(*) AS n
          FROM diary.ratings r CROSS JOIN unnest(r.tags) AS t(tag)
          WHERE r.segment_id = s.segment_id AND r.status = 'accepted' AND r.submitted_at > now() - cfg.win
          GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT 5) top
) tt
CROSS JOIN LATERAL (
    SELECT avg(x) FILTER (WHERE at >= now() - cfg.recent AND at <= now()) AS recent_mean,
           avg(x) FILTER (WHERE at >= now() - cfg.earlier AND at < now() - cfg.recent) AS earlier_mean
    FROM (SELECT r.rating::numeric AS x, r.submitted_at AS at FROM diary.ratings r
          WHERE r.segment_id = s.segment_id AND r.status = 'accepted' AND r.submitted_at >= now() - cfg.earlier
          UNION ALL
          SELECT v.implicit_rating, v.submitted_at FROM diary.votes v
          WHERE v.segment_id = s.segment_id AND v.submitted_at >= now() - cfg.earlier) w
) dl;

COMMENT ON VIEW analytics.segment_aggregates IS
    'Scores of every segment now: decayed_mean (half-life 21 d, shrunk to 3.0 worth 5), n_eff, confidence, top 5 tags and delta_30d over 180 days; current on every write.';

COMMIT;
