package io.datamanager.history.api;

import io.datamanager.history.store.HistoryQueries;
import io.datamanager.model.ValidationException;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/** A row named by columns that are not its table's key is a typo: 400 naming the column, rather than "not found". */
final class KeyColumns {
    private KeyColumns() {}

    /** Refuses a column that is not one of the table's key columns, named as {@code prefix + column} ({@code pk.idd}). */
    static void check(HistoryQueries queries, String table, Collection<String> columns, String prefix) throws SQLException {
        if (columns.isEmpty()) {
            return;
        }
        List<String> key = queries.keyColumns(table);
        if (key.isEmpty()) {
            return; // no version left to tell the key by (all erased or removed)
        }
        for (String column : columns) {
            if (!key.contains(column)) {
                throw new ValidationException(prefix + column, "is not a primary key column of " + table + " (its key: " + key + ")");
            }
        }
    }
}
