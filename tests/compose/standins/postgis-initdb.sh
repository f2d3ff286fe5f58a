# Stand-in for postgis/postgis's 10_postgis.sh: the PostGIS extensions in template_postgis and
# in POSTGRES_DB, as upstream creates them.
psql -v ON_ERROR_STOP=1 -qX -d postgres -c "CREATE DATABASE template_postgis IS_TEMPLATE true"
for db in template_postgis "$POSTGRES_DB"; do
  psql -v ON_ERROR_STOP=1 -qX -d "$db" <<'SQL'
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS postgis_topology;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS postgis_tiger_geocoder;
SQL
done
