package io.datamanager.history.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.config.HistoryConfig;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Json;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The application context of source transactions (who changed it, and why): stored from {@code dm.context} records,
 * merged per transaction, attached to the versions and transactions history answers, and turned into the
 * {@code context.<key>=<value>} filters of searches and window restores.
 */
@ApplicationScoped
public class ContextStore {
    private static final String INSERT = """
            INSERT INTO dm_context_message (tx_id, lsn, commit_ts, context) VALUES (?, CAST(? AS pg_lsn), ?, CAST(? AS jsonb))
            ON CONFLICT (tx_id, lsn) DO NOTHING""";
    /** A transaction's messages merged in WAL order: jsonb_object_agg keeps the last value of a key. */
    private static final String MERGE = """
            INSERT INTO dm_context (tx_id, context, commit_ts)
            SELECT m.tx_id, jsonb_object_agg(e.key, e.value ORDER BY m.lsn), max(m.commit_ts)
            FROM dm_context_message m CROSS JOIN LATERAL jsonb_each(m.context) AS e
            WHERE m.tx_id = ANY(CAST(? AS bigint[]))
            GROUP BY m.tx_id ORDER BY m.tx_id
            ON CONFLICT (tx_id) DO UPDATE SET context = EXCLUDED.context, commit_ts = EXCLUDED.commit_ts, updated_at = now()""";

    private final DataSource dataSource;
    private final HistoryQueries queries;
    private final PolicyStore policies;
    private final Redaction redaction;

    ContextStore(DataSource dataSource, HistoryQueries queries, PolicyStore policies, HistoryConfig config) {
        this.dataSource = dataSource;
        this.queries = queries;
        this.policies = policies;
        this.redaction = new Redaction(config.redactionKey());
    }

    /**
     * Stores the messages in one transaction and merges the context of each transaction that gained one; a message
     * stored before (a replay: same transaction and WAL position) changes nothing.
     */
    public void insert(List<ContextRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(INSERT); PreparedStatement merge = c.prepareStatement(MERGE)) {
                for (ContextRecord r : records) {
                    insert.setLong(1, r.txId());
                    insert.setString(2, r.lsn().toString());
                    insert.setTimestamp(3, r.commitTs() == null ? null : Timestamp.from(r.commitTs()));
                    insert.setString(4, r.context().toString());
                    insert.addBatch();
                }
                int[] inserted = insert.executeBatch();
                TreeSet<Long> gained = new TreeSet<>();
                for (int i = 0; i < inserted.length; i++) {
                    if (inserted[i] != 0) { // 1, or SUCCESS_NO_INFO: merging again gives the same context
                        gained.add(records.get(i).txId());
                    }
                }
                if (!gained.isEmpty()) {
                    merge.setArray(1, c.createArrayOf("bigint", gained.toArray()));
                    merge.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The merged context of each of the transactions that has one. */
    public Map<Long, ObjectNode> of(java.util.Collection<Long> txIds) throws SQLException {
        Map<Long, ObjectNode> out = new HashMap<>();
        List<Long> ids = txIds.stream().filter(java.util.Objects::nonNull).distinct().toList();
        if (ids.isEmpty()) {
            return out;
        }
        queries.query("SELECT tx_id, context FROM dm_context WHERE tx_id = ANY(CAST(? AS bigint[]))",
                List.of((Object) ids.stream().map(String::valueOf).toArray(String[]::new)),
                rs -> out.put(rs.getLong("tx_id"), ExactJson.object(rs.getString("context"), "stored context")));
        return out;
    }

    /** The versions, each with its transaction's context when it has one. */
    public List<Version> attach(List<Version> versions) throws SQLException {
        Map<Long, ObjectNode> contexts = of(versions.stream().map(Version::txId).toList());
        if (contexts.isEmpty()) {
            return versions;
        }
        List<Version> out = new ArrayList<>(versions.size());
        for (Version v : versions) {
            out.add(v.txId() == null ? v : v.withContext(contexts.get(v.txId())));
        }
        return out;
    }

    /**
     * The filter {@code context.<key>=<value>}: the context holds the key with the value as text, or as the JSON
     * scalar it reads as ({@code 42} finds the number and the text), or, when a policy redacts the key, as the hash
     * the value was stored as. Each form is a containment test ({@code context @> {"key": value}}) the GIN index
     * answers; key and value travel inside a bound JSON parameter, never in the SQL text.
     */
    public HistoryQuery.ContextMatch match(String key, String value) {
        List<String> forms = new ArrayList<>();
        forms.add(containment(key, Json.mapper().getNodeFactory().textNode(value)));
        JsonNode json = scalar(value);
        if (json != null && !json.isTextual()) {
            forms.add(containment(key, json));
        }
        if (policies.redactedContextKeys().contains(key)) {
            forms.add(containment(key, Json.mapper().getNodeFactory().textNode(
                    redaction.hashContext(key, Json.mapper().getNodeFactory().textNode(value)))));
        }
        return new HistoryQuery.ContextMatch(key, List.copyOf(forms));
    }

    /** Appends {@code AND tx_id IN (transactions whose context matches every filter)}. */
    static void appendFilter(StringBuilder sql, List<Object> params, List<HistoryQuery.ContextMatch> context) {
        if (context == null || context.isEmpty()) {
            return;
        }
        sql.append(" AND tx_id IN (SELECT tx_id FROM dm_context WHERE true");
        for (HistoryQuery.ContextMatch m : context) {
            sql.append(" AND (");
            for (int i = 0; i < m.forms().size(); i++) {
                sql.append(i == 0 ? "" : " OR ").append("context @> CAST(? AS jsonb)");
                params.add(m.forms().get(i));
            }
            sql.append(")");
        }
        sql.append(")");
    }

    private static String containment(String key, JsonNode value) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.set(key, value);
        return o.toString();
    }

    /**
     * The value's reading as one JSON number or boolean; null when it is not one, or is a number past what jsonb's
     * numeric holds (no stored context can hold it, and PostgreSQL would refuse the parameter).
     */
    private static JsonNode scalar(String value) {
        try {
            JsonNode node = ExactJson.tree(value, "value");
            if (node.isNumber()) {
                java.math.BigDecimal n = node.decimalValue();
                return n.precision() - n.scale() > 131_072 || n.scale() > 16_383 ? null : node;
            }
            return node.isBoolean() ? node : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}
