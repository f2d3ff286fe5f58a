-- Verify trafficsafety:diary/segment_scores on pg
SELECT decayed_mean, n_eff, confidence, top_tags, delta_30d, scores_at FROM diary.segments WHERE false;
SELECT has_function_privilege('tsdb_owner', 'diary.refresh_segment_scores(text[])', 'execute'),
       has_function_privilege('tsdb_owner', 'diary.scores_follow_writes()', 'execute');
