-- Exactly-once ingest (issue 13): per partition of dm.changes, the offset after the last record whose versions this
-- database holds, written in the same transaction as those versions. The ingest starts each partition there (not at
-- the consumer group's commit, which follows the database's), so a batch is new and goes by COPY straight into
-- dm_version, without asking an index whether it holds each version first.
CREATE TABLE dm_ingest_offset (
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);

-- The same event twice on the topic must still be one version. An event id is a hash of table, primary key and LSN,
-- so the index every version enters anyway (a row's timeline) can refuse the second one: unique, it replaces the
-- unique index on event_id, whose random keys cost a third of the ingest rate (HistoryBenchmark: 7,537 versions/s
-- with it, 11,602 without, 500,000 versions). A replay has its event's commit time, so commit_ts in the key changes nothing.
CREATE UNIQUE INDEX dm_version_row_unique ON dm_version (table_name, row_key, commit_ts DESC, lsn DESC);
DROP INDEX dm_version_row;
ALTER INDEX dm_version_row_unique RENAME TO dm_version_row;
DROP INDEX dm_version_event_id;
