-- Application context of source transactions (issue 17: "who changed it, and why"), from the dm.context topic.
-- Each message as received, keyed by its WAL position: a replayed record changes nothing.
CREATE TABLE dm_context_message (
    tx_id       bigint      NOT NULL,
    lsn         pg_lsn      NOT NULL,
    commit_ts   timestamptz,
    context     jsonb       NOT NULL,          -- keys a policy redacts are stored as redacted:<hash>, never in clear
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tx_id, lsn)
);

-- The context of one transaction as history shows and searches it: its messages merged in lsn order, a later key
-- wins. Rewritten from dm_context_message whenever a message of the transaction arrives (before or after its versions).
CREATE TABLE dm_context (
    tx_id      bigint      PRIMARY KEY,
    context    jsonb       NOT NULL,
    commit_ts  timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- context.<key>=<value> searches are containment tests (context @> '{"source":"billing-job"}'): a GIN index answers them
CREATE INDEX dm_context_search ON dm_context USING gin (context jsonb_path_ops);
