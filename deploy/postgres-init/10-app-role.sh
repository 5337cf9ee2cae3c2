#!/bin/sh
# Run by the postgres image once, when it creates the database (docker-compose.yml mounts this
# folder at /docker-entrypoint-initdb.d). The owner role is POSTGRES_USER; this adds the
# application's own role, which owns nothing, so it can never alter a table or switch a trigger
# off. Its rights on the tables are granted by `manage.py migrate` (core/database_roles.py):
# read and write everywhere, but only read and insert in the access log.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE genhusning_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
    PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
