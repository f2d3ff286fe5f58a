-- Verify trafficsafety:audit/log on pg
SELECT log_id, table_name, operation, user_id, acting_user_id, db_role, old_data, new_data, changed_at FROM audit.log WHERE false;
