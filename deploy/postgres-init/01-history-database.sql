-- docker-compose's PostgreSQL runs this once, on an empty volume: the history database beside the captured
-- one. In production the history database is better a server of its own (DM_HISTORY_DB_URL).
CREATE DATABASE dm_history;
