-- Verify trafficsafety:ops/business_metrics on pg
SELECT intersection_id, name, safety_index, high_risk, minutes_1h, completeness_1h, last_data_seconds
FROM ops.intersection_status() WHERE false;
SELECT intersections_tracked, intersections_with_data_1h, completeness_1h, high_risk_intersections, snapshot_newest_seconds
FROM ops.business_status() WHERE false;
SELECT risk_band, intersections FROM ops.risk_bands() WHERE false;
