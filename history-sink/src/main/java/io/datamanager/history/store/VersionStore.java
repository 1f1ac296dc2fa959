package io.datamanager.history.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * Writes versions in batches, each in one transaction with the offsets of {@code dm.changes} it covers
 * ({@code dm_ingest_offset}): the ingest starts every partition where the database says, so a batch is new and goes
 * by COPY straight into {@code dm_version}. Only when the unique index of a row's versions refuses it (the same event
 * twice on the topic, or a database from before the offsets were stored) does the batch go the deduplicating way:
 * COPY into a staging table, then one INSERT that skips the versions already held. The per-table counts change in
 * the same transaction.
 */
@ApplicationScoped
public class VersionStore {
    /**
     * How both ways add a batch's versions to a table's count and newest commit, and its column types (from the dm.types
     * header) to those held: one statement per table, so parallel writers lock a table's row once, in one order.
     */
    private static final String ADD_COUNTS = """
            ON CONFLICT (table_name) DO UPDATE SET version_count = dm_table.version_count + EXCLUDED.version_count,
                last_change = greatest(dm_table.last_change, EXCLUDED.last_change),
                column_types = dm_table.column_types || EXCLUDED.column_types""";
    /** Per-connection staging table of the deduplicating way (n keeps the batch's order); emptied at commit. */
    private static final String STAGE = """
            CREATE TEMP TABLE IF NOT EXISTS dm_stage (
              n bigint GENERATED ALWAYS AS IDENTITY, event_id text, table_name text, row_key text, pk jsonb, op text,
              before jsonb, after jsonb, changed text[], complete boolean, missing text[], lsn pg_lsn, tx_id bigint,
              commit_ts timestamptz, capture_ts timestamptz, json_nulls text[]) ON COMMIT DELETE ROWS""";
    private static final String MOVE = """
            WITH ins AS (
              INSERT INTO dm_version (%1$s)
              SELECT %1$s FROM dm_stage ORDER BY n
              ON CONFLICT (table_name, row_key, commit_ts, lsn) DO NOTHING -- an event's id is its table, key and LSN
              RETURNING table_name, commit_ts)
            INSERT INTO dm_table (table_name, version_count, last_change)
            SELECT table_name, count(*), max(commit_ts) FROM ins GROUP BY table_name ORDER BY table_name -- one lock order for parallel writers
            """.formatted(CopyRows.COLUMNS) + ADD_COUNTS;
    private static final String COUNT = "INSERT INTO dm_table (table_name, version_count, last_change, column_types) VALUES (?, ?, ?, ?::jsonb)\n"
            + ADD_COUNTS;
    /** Moves a partition's offset on only from where this batch began: a consumer that stored past it owns the partition. */
    private static final String OFFSET = """
            INSERT INTO dm_ingest_offset (topic, partition, next_offset) VALUES (?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()
            WHERE dm_ingest_offset.next_offset <= ?""";
    /** The unique index that refuses a version held already (a row's timeline, V3_3). */
    private static final String VERSION_INDEX = "dm_version_row";

    private final DataSource dataSource;

    VersionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the versions and the offsets they were read up to in one transaction. Throws {@link OffsetsMoved} (nothing
     * stored) when the database already holds one of the partitions past where this batch began.
     */
    public void insert(List<ChangeEvent> events, Map<String, ObjectNode> columnTypes, List<IngestOffset> offsets) throws SQLException {
        insertRows(events.stream().map(VersionRow::of).toList(), columnTypes, offsets);
    }

    /** As {@link #insert}, of versions whose COPY lines were made already. */
    public void insertRows(List<VersionRow> events, Map<String, ObjectNode> columnTypes, List<IngestOffset> offsets) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                saveOffsets(c, offsets); // first: its row locks order two consumers of one partition before any version
                if (!copyNew(c, events, columnTypes)) {
                    c.rollback();
                    saveOffsets(c, offsets);
                    copyDeduplicated(c, events, columnTypes);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The next offset of each partition of {@code topic} whose versions this database holds. */
    public Map<Integer, Long> storedOffsets(String topic) throws SQLException {
        Map<Integer, Long> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM dm_ingest_offset WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** The database holds a partition past where a batch began: another consumer read it (a rebalance), nothing was stored. */
    public static final class OffsetsMoved extends SQLException {
        OffsetsMoved(IngestOffset offset) {
            super("the history database holds " + offset.topic() + "-" + offset.partition() + " past offset " + offset.from()
                    + ": another consumer stored it; reading it again from there (if the topic was made anew, its offsets start"
                    + " again: delete its rows from dm_ingest_offset)");
        }
    }

    private static void saveOffsets(Connection c, List<IngestOffset> offsets) throws SQLException {
        if (offsets.isEmpty()) {
            return;
        }
        List<IngestOffset> ordered = offsets.stream() // one lock order for parallel writers
                .sorted(java.util.Comparator.comparing(IngestOffset::topic).thenComparingInt(IngestOffset::partition)).toList();
        try (PreparedStatement ps = c.prepareStatement(OFFSET)) {
            for (IngestOffset o : ordered) {
                ps.setString(1, o.topic());
                ps.setInt(2, o.partition());
                ps.setLong(3, o.next());
                ps.setLong(4, o.from());
                ps.addBatch();
            }
            int[] updated = ps.executeBatch();
            for (int i = 0; i < updated.length; i++) {
                if (updated[i] == 0) {
                    throw new OffsetsMoved(ordered.get(i));
                }
            }
        }
    }

    /**
     * COPY into dm_version, then the per-table counts from the batch itself and the column types; false (the
     * transaction aborted) when the database holds one of the versions already.
     */
    private static boolean copyNew(Connection c, List<VersionRow> events, Map<String, ObjectNode> columnTypes) throws SQLException {
        if (!events.isEmpty()) {
            try {
                copy(c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY dm_version (" + CopyRows.COLUMNS + ") FROM STDIN"), events);
            } catch (PSQLException e) {
                if (PSQLState.UNIQUE_VIOLATION.getState().equals(e.getSQLState()) && e.getServerErrorMessage() != null
                        && VERSION_INDEX.equals(e.getServerErrorMessage().getConstraint())) {
                    return false;
                }
                throw e;
            }
        }
        Map<String, TableChange> tables = new TreeMap<>();
        for (VersionRow row : events) {
            tables.merge(row.table(), new TableChange(1, row.commitTs(), null), TableChange::plus);
        }
        saveTables(c, tables, columnTypes);
        return true;
    }

    /**
     * COPY into the staging table, then one INSERT that skips the versions already held and counts the others. The
     * batch's tables are written first (types, no versions yet), so the count's upsert finds their rows locked by this
     * transaction already: one lock order for parallel writers, whichever versions were new.
     */
    private static void copyDeduplicated(Connection c, List<VersionRow> events, Map<String, ObjectNode> columnTypes) throws SQLException {
        Map<String, TableChange> tables = new TreeMap<>();
        for (VersionRow row : events) {
            tables.putIfAbsent(row.table(), new TableChange(0, null, null));
        }
        saveTables(c, tables, columnTypes);
        try (Statement s = c.createStatement()) {
            s.execute(STAGE);
            copy(c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY dm_stage (" + CopyRows.COLUMNS + ") FROM STDIN"), events);
            s.executeUpdate(MOVE);
        }
    }

    /** Adds to each table's row (in name order: one lock order for parallel writers) its versions and column types. */
    private static void saveTables(Connection c, Map<String, TableChange> tables, Map<String, ObjectNode> columnTypes) throws SQLException {
        columnTypes.forEach((table, types) -> tables.merge(table, new TableChange(0, null, types), TableChange::plus));
        if (tables.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(COUNT)) {
            for (var entry : tables.entrySet()) {
                TableChange change = entry.getValue();
                ps.setString(1, entry.getKey());
                ps.setLong(2, change.versions());
                ps.setObject(3, change.last() == null ? null : change.last().atOffset(ZoneOffset.UTC), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setString(4, change.types() == null ? "{}" : change.types().toString());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** What a batch adds to a table's row: versions, its newest commit (null: none), column types (null: none). */
    private record TableChange(long versions, Instant last, ObjectNode types) {
        TableChange plus(TableChange other) {
            Instant newest = last == null ? other.last : other.last == null || last.isAfter(other.last) ? last : other.last;
            return new TableChange(versions + other.versions, newest, types != null ? types : other.types);
        }
    }

    /**
     * Sends each line as the UTF-8 bytes {@link VersionRow} encoded, whole. The driver's {@code copyIn(sql, Reader)}
     * encodes 65,536-character chunks one at a time, so a 4-byte character whose surrogate pair a chunk boundary
     * splits was stored as {@code ??}.
     */
    private static void copy(CopyIn copy, List<VersionRow> events) throws SQLException {
        try {
            for (VersionRow row : events) {
                copy.writeToCopy(row.line(), 0, row.line().length);
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}
