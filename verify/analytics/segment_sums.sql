-- Verify trafficsafety:analytics/segment_sums on pg
SELECT segment_id, ref_at, sum_w, sum_wx, n_samples, last_updated FROM analytics.segment_sums WHERE false;
SELECT run_at, as_of, checked, repaired, max_error FROM analytics.repair_log WHERE false;
