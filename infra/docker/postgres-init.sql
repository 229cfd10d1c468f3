-- The same roles infra/postgres.sh creates: an owner that applies the schema, an application role
-- that only reads and writes rows.
CREATE ROLE readiness_owner LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD 'readiness-dev-owner';
CREATE ROLE readiness_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD 'readiness-dev-app';
CREATE DATABASE readiness OWNER readiness_owner;
