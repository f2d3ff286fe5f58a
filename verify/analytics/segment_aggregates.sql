-- Verify trafficsafety:analytics/segment_aggregates on pg
SELECT segment_id, street, neighborhood, length_m, geometry, decayed_mean, n_eff, confidence, top_tags, delta_30d, n_samples, last_updated, computed_at FROM analytics.segment_aggregates WHERE false;
