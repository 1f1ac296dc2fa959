-- Exactly-once ingest (issue 13): per partition of dm.changes, the offset after the last record whose versions this
-- database holds, written in the same transaction as those versions. The ingest starts each partition there (not at
-- the consumer group's commit, which follows the database's), so a version is written once without asking an index
-- first. The unique index on event_id stays: it keeps the promise that the same event twice on the topic is one version.
CREATE TABLE dm_ingest_offset (
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);
