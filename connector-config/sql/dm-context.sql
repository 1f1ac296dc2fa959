-- dm_context(jsonb): tells datamanager who and why, for every change of the current transaction.
-- Install once in the captured database (any user may run it; source-bootstrap.sql includes it):
--   psql "$DSN" -f dm-context.sql
-- Then, inside a transaction that changes rows:
--   BEGIN;
--   SELECT dm_context('{"user":"alice","request":"r-81","source":"billing-job"}');
--   UPDATE invoices SET ...;
--   COMMIT;
-- It writes a transactional logical decoding message with the prefix dm.context, which capture publishes and the
-- streams-app attaches to the transaction's changes; history stores it with every version of the transaction.
-- Call it before the transaction's first change: live notifications carry the context from the message on (history
-- has it for the whole transaction). Several calls merge, the later value of a key wins. Keep it small (the
-- streams-app drops a context over DM_CONTEXT_MAX_BYTES, 4096 bytes by default, and dead-letters it).
CREATE OR REPLACE FUNCTION dm_context(context jsonb) RETURNS pg_lsn
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog
AS $$
BEGIN
    IF context IS NULL OR jsonb_typeof(context) <> 'object' THEN
        RAISE EXCEPTION 'dm_context takes a JSON object, like {"user":"alice"}; this is %',
            coalesce(jsonb_typeof(context), 'SQL NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN pg_logical_emit_message(true, 'dm.context', context::text);
END
$$;
COMMENT ON FUNCTION dm_context(jsonb) IS
    'datamanager: who and why for the changes of this transaction (a dm.context logical decoding message)';
