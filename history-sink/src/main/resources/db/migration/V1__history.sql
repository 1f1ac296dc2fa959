-- Every version of every captured row. One row here = one ChangeEvent from dm.changes.
CREATE TABLE dm_version (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    text        NOT NULL,
    table_name  text        NOT NULL,
    row_key     text        NOT NULL,          -- canonical primary key JSON (columns sorted)
    pk          jsonb       NOT NULL,
    op          text        NOT NULL,
    before      jsonb,
    after       jsonb,
    changed     text[]      NOT NULL DEFAULT '{}',
    complete    boolean     NOT NULL,
    missing     text[]      NOT NULL DEFAULT '{}',
    lsn         pg_lsn      NOT NULL,
    tx_id       bigint,
    commit_ts   timestamptz NOT NULL,
    capture_ts  timestamptz,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
-- idempotent ingest: a replayed event changes nothing
CREATE UNIQUE INDEX dm_version_event_id ON dm_version (event_id);
-- one row's timeline and as-of lookups: an index range scan, newest first
CREATE INDEX dm_version_row ON dm_version (table_name, row_key, commit_ts DESC, lsn DESC);
-- a table's versions newest first (history listing, whole-table as-of)
CREATE INDEX dm_version_table_time ON dm_version (table_name, commit_ts DESC, seq DESC);
-- restore of a whole transaction
CREATE INDEX dm_version_tx ON dm_version (tx_id) WHERE tx_id IS NOT NULL;
-- time-range listing across tables; BRIN stays tiny because rows arrive in commit order
CREATE INDEX dm_version_time_brin ON dm_version USING brin (commit_ts);

-- What has been seen per table, kept by ingest so listing tables does not count millions of rows.
CREATE TABLE dm_table (
    table_name    text PRIMARY KEY,
    version_count bigint      NOT NULL DEFAULT 0,
    last_change   timestamptz,
    column_types  jsonb       NOT NULL DEFAULT '{}'  -- from the dm.types header: column -> descriptor|pg type
);

-- Per-table policy: tracking, retention, redaction.
CREATE TABLE dm_policy (
    table_name       text PRIMARY KEY,
    tracking         boolean NOT NULL DEFAULT true,
    retention_days   integer CHECK (retention_days IS NULL OR retention_days > 0),
    min_versions     integer NOT NULL DEFAULT 1 CHECK (min_versions >= 0),
    redacted_columns text[]  NOT NULL DEFAULT '{}',
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Runs of the retention job and erasures on request: what was removed, when, why.
CREATE TABLE dm_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    action      text        NOT NULL,   -- retention | erase | restore
    table_name  text,
    detail      jsonb       NOT NULL DEFAULT '{}'
);
