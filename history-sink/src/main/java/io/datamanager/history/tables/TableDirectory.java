package io.datamanager.history.tables;

import io.datamanager.history.config.HistoryConfig;
import io.datamanager.history.restore.SourceDatabase;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.model.TableSchema;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Answers what a table is, whether or not it has had a change yet: the source database's catalog knows every
 * table as it is now (columns added since the last change included, dropped ones gone), history knows the
 * tables the pipeline has seen. The catalog is asked first when a source connection is configured; history
 * answers when there is none, when the table is gone from the source, or when the source cannot be reached.
 */
@ApplicationScoped
public class TableDirectory {
    private static final Logger LOG = Logger.getLogger(TableDirectory.class);
    private final HistoryQueries history;
    private final SourceDatabase source;
    private final String publication;

    TableDirectory(HistoryQueries history, SourceDatabase source, HistoryConfig config) {
        this.history = history;
        this.source = source;
        this.publication = config.publication();
    }

    /** Thrown when only the source could say whether a table exists, and it could not be read. */
    public static final class SourceUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SourceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The table's columns and state.
     *
     * @throws NotFoundException naming why, when the table exists neither in the source nor in history
     * @throws SourceUnavailableException when the table has no history and the source could not be read
     */
    public TableSchema lookup(String table) throws SQLException {
        Optional<HistoryQueries.Table> seen = history.table(table);
        long versions = seen.map(HistoryQueries.Table::versions).orElse(0L);
        var lastChange = seen.map(HistoryQueries.Table::lastChange).orElse(null);
        if (source.configured()) {
            try (Connection c = source.connect("catalog")) {
                Optional<SourceCatalog.Relation> relation = SourceCatalog.relation(c, table);
                if (relation.isPresent() && !relation.get().isTable()) {
                    throw new NotFoundException("'" + table + "' is " + relation.get().kindName()
                            + " in the source database: only the changes of tables are captured");
                }
                if (relation.isPresent()) {
                    Optional<Boolean> published = SourceCatalog.published(c, publication, relation.get());
                    return new TableSchema(table, TableSchema.ColumnsFrom.CATALOG, relation.get().columns(), published.orElse(null),
                            published.isPresent() ? publication : null, versions, lastChange);
                }
            } catch (SQLException e) {
                if (seen.isEmpty()) {
                    throw new SourceUnavailableException("'" + table + "' has no history, and the source database, which would know it, "
                            + "could not be read (" + e.getMessage() + "); try again shortly", e);
                }
                LOG.warnf(e, "the source database could not be read; answering the columns of %s from history", table);
            }
        }
        if (seen.isPresent()) {
            return new TableSchema(table, TableSchema.ColumnsFrom.HISTORY, historyColumns(seen.get()), null, null, versions, lastChange);
        }
        throw new NotFoundException(source.configured()
                ? "'" + table + "' is not a table of the source database, and history holds no change of it"
                : "'" + table + "' has no history yet, and this history-sink has no connection to the source database "
                        + "(DM_RESTORE_JDBC_URL), so only tables that have had a change are known: make a change in it first, "
                        + "or configure the connection");
    }

    /**
     * The tables history holds, each marked {@code dropped} when it is gone from the source database's catalog;
     * as last seen when the source cannot be read, unmarked without a source connection.
     */
    public List<HistoryQueries.Table> tables() throws SQLException {
        if (source.configured()) {
            java.util.Set<String> present;
            try (Connection c = source.connect("catalog")) {
                present = SourceCatalog.tableNames(c);
            } catch (SQLException e) {
                LOG.warnf(e, "the source database could not be read; tables are marked dropped as last seen");
                return history.tables();
            }
            return history.markDropped(present);
        }
        return history.tables();
    }

    /** Columns as recorded from the dm.types header: key columns first, then by name (history keeps no column order). */
    private List<TableSchema.Column> historyColumns(HistoryQueries.Table table) throws SQLException {
        List<String> key = history.keyColumns(table.table());
        List<TableSchema.Column> columns = new ArrayList<>();
        table.columnTypes().fields().forEachRemaining(e -> columns.add(
                new TableSchema.Column(e.getKey(), typeName(e.getValue().asText()), key.contains(e.getKey()), null)));
        columns.sort(Comparator.comparing((TableSchema.Column c) -> !c.primaryKey()).thenComparing(TableSchema.Column::name));
        return columns;
    }

    /** {@code int32|int4} -> {@code int4}, {@code array<int32>|_int4} -> {@code int4[]}; the Debezium type when capture gave no source type. */
    static String typeName(String descriptor) {
        int bar = descriptor.indexOf('|');
        if (bar < 0) {
            return descriptor;
        }
        String pg = descriptor.substring(bar + 1);
        return pg.startsWith("_") ? pg.substring(1) + "[]" : pg;
    }
}
