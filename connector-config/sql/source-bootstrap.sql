-- Prepares a source database for datamanager capture when the capture user is not a superuser.
-- Run once as a superuser (or the database owner) in the captured database:
--   psql "$DSN" -v capture_password="'…'" -f source-bootstrap.sql
-- It needs wal_level=logical in postgresql.conf (a server restart), and max_replication_slots and
-- max_wal_senders of at least 1 each for datamanager.
DO $$
BEGIN
    IF current_setting('wal_level') <> 'logical' THEN
        RAISE EXCEPTION 'wal_level is %, set wal_level = logical in postgresql.conf and restart PostgreSQL',
            current_setting('wal_level');
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dm_capture') THEN
        CREATE ROLE dm_capture WITH LOGIN REPLICATION;
    END IF;
END $$;
ALTER ROLE dm_capture WITH PASSWORD :capture_password;
GRANT USAGE ON SCHEMA public TO dm_capture;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO dm_capture;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO dm_capture;
-- FOR ALL TABLES needs a superuser here, once; new tables then join the publication by themselves
-- (set DM_PUBLICATION_AUTOCREATE_MODE=disabled for the capture so it uses this one)
CREATE PUBLICATION dm_publication FOR ALL TABLES;
-- lets a restore (history-sink) write, and be captured like any other change
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO dm_capture;
-- dm_context(jsonb): applications say who changed rows and why (see dm-context.sql)
\ir dm-context.sql
