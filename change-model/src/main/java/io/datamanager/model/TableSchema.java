package io.datamanager.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the pipeline knows of one table before anyone subscribes to it: its columns (in table order, with
 * their types and key), where they were read from, and whether capture publishes the table. The answer of
 * {@code GET /api/tables/{table}}: the history-sink writes it, the gateway checks subscriptions against it,
 * and a form can be built from it.
 *
 * @param table {@code schema.table}
 * @param columnsFrom {@code catalog}: read from the source database's catalog (the live table);
 *     {@code history}: from the types recorded with the table's changes (no source connection, or the table is
 *     gone from the source)
 * @param columns the columns; empty when history holds the table but recorded no types for it
 * @param published whether the source's publication includes the table; null when not looked up (columns
 *     from history) or when the publication does not exist yet (capture creates it when it starts)
 * @param publication the publication looked in, when one was
 * @param versions how many versions history holds (0: no change recorded yet)
 * @param lastChange commit time of the newest recorded change, null when none
 */
@JsonIgnoreProperties(ignoreUnknown = true) // a newer history-sink may say more
@JsonInclude(JsonInclude.Include.NON_NULL) // what is not known is left out, whichever mapper writes it
public record TableSchema(String table, ColumnsFrom columnsFrom, List<Column> columns, Boolean published, String publication,
        long versions, Instant lastChange) {

    public TableSchema {
        if (table == null || table.isBlank()) {
            throw new ValidationException("table", "is required");
        }
        if (columnsFrom == null) {
            throw new ValidationException("columnsFrom", "is required: catalog or history");
        }
        columns = columns == null ? List.of() : List.copyOf(columns);
        if (published != null && publication == null) {
            throw new ValidationException("publication", "is required when published is known");
        }
    }

    /**
     * One column.
     *
     * @param type as its source names it: PostgreSQL's {@code format_type} from the catalog
     *     ({@code numeric(10,2)}, {@code integer[]}), the captured type name from history ({@code numeric},
     *     {@code int4[]}), or the Debezium type when capture did not say
     * @param primaryKey part of the primary key (from history: of the key the last change carried)
     * @param nullable whether it may be null; null when not known (columns from history)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Column(String name, String type, boolean primaryKey, Boolean nullable) {
        public Column {
            if (name == null || name.isEmpty()) {
                throw new ValidationException("name", "a column needs a name");
            }
        }
    }

    /** Where the columns were read. */
    public enum ColumnsFrom {
        @JsonProperty("catalog")
        CATALOG,
        @JsonProperty("history")
        HISTORY
    }

    @JsonIgnore
    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** Why no change of the table will be captured, when the publication leaves it out. */
    public Optional<String> whyNotCaptured() {
        if (!Boolean.FALSE.equals(published)) {
            return Optional.empty();
        }
        return Optional.of("'" + table + "' exists in the source database but is not in the publication '" + publication
                + "', so none of its changes are captured; add it with ALTER PUBLICATION " + publication + " ADD TABLE " + table);
    }
}
