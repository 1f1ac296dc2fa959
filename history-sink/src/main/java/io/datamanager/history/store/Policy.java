package io.datamanager.history.store;

import io.datamanager.model.ValidationException;
import java.util.List;

/**
 * How a table's history is kept.
 *
 * @param tracking false: changes of the table are not recorded
 * @param retentionDays versions older than this are removed (null: kept forever) ...
 * @param minVersions ... except the newest this many of each row
 * @param redactedColumns stored as a stable hash, never in clear
 */
public record Policy(String table, boolean tracking, Integer retentionDays, int minVersions, List<String> redactedColumns) {
    /** About 2,700 years: further back than now minus this, PostgreSQL's time arithmetic would leave its range. */
    public static final int MAX_RETENTION_DAYS = 1_000_000;

    public static Policy defaults(String table) {
        return new Policy(table, true, null, 1, List.of());
    }

    public Policy {
        if (retentionDays != null && (retentionDays <= 0 || retentionDays > MAX_RETENTION_DAYS)) {
            throw new ValidationException("retentionDays", "must be a number of days from 1 to " + MAX_RETENTION_DAYS
                    + ", or null to keep forever");
        }
        if (minVersions < 0) {
            throw new ValidationException("minVersions", "must be 0 or more");
        }
        redactedColumns = redactedColumns == null ? List.of() : new java.util.ArrayList<>(redactedColumns);
        for (int i = 0; i < redactedColumns.size(); i++) {
            if (redactedColumns.get(i) == null || redactedColumns.get(i).isBlank()) {
                throw new ValidationException("redactedColumns[" + i + "]", "must name a column");
            }
            if (redactedColumns.indexOf(redactedColumns.get(i)) < i) {
                throw new ValidationException("redactedColumns[" + i + "]", "names '" + redactedColumns.get(i) + "' a second time");
            }
        }
        redactedColumns = List.copyOf(redactedColumns); // no nulls left, which List.copyOf would not take
    }
}
