package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ValidationException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to put back. One row ({@code table} + {@code pk}): to its state at a time ({@code at}), after a version
 * ({@code versionId}), or before it was deleted (neither). Every row a source transaction touched ({@code txId}):
 * to its state before it. A window: every change between {@code since} and {@code until} (default now) to the
 * {@code table}, the {@code tables} or all tables, optionally only those changing a column of {@code changed}, matching
 * every {@code match} value, written by a transaction whose application context holds every {@code context} value
 * ("what billing-job did": {@code "context": {"source": "billing-job"}}), or written by one of {@code txIds}, undone back to each row's state before its first such
 * change. {@code columns}: {@code all} (default) or {@code mistake-only}, the safe middle way: only the columns the
 * mistake changed and no one changed since. Dry run by default; {@code force} overwrites later changes.
 */
public record RestoreRequest(String table, ObjectNode pk, Instant at, Long versionId, Long txId, Boolean dryRun, Boolean force,
        Instant since, Instant until, List<String> tables, List<String> changed, Map<String, JsonNode> match, List<Long> txIds,
        String columns, Map<String, JsonNode> context) {
    public static final String ALL_COLUMNS = "all";
    public static final String MISTAKE_ONLY = "mistake-only";

    public RestoreRequest {
        boolean window = since != null || until != null || tables != null || changed != null || match != null || txIds != null
                || context != null;
        if (txId != null && window) {
            throw new ValidationException("txId", "restores one whole transaction: for several, or within a window, give 'txIds'");
        }
        if (window) {
            validateWindow(table, pk, at, versionId, since, until, tables, changed, match, txIds, context);
        } else if (txId != null) {
            if (at != null || versionId != null) {
                throw new ValidationException("txId", "restores a whole transaction: give it without 'at' or 'versionId'");
            }
        } else if (versionId == null) {
            if (table == null || table.isBlank()) {
                throw new ValidationException("table", "is required (or give 'txId', 'versionId', or a window with 'since')");
            }
            if (pk == null || pk.isEmpty()) {
                throw new ValidationException("pk", "is required: the primary key columns of the row, e.g. {\"id\": 42}");
            }
        }
        if (at != null && versionId != null) {
            throw new ValidationException("at", "give either 'at' or 'versionId', not both");
        }
        tables = tables == null ? null : List.copyOf(tables);
        changed = changed == null ? null : List.copyOf(changed);
        match = match == null ? null : new LinkedHashMap<>(match);
        context = context == null ? null : new LinkedHashMap<>(context);
        txIds = txIds == null ? null : List.copyOf(txIds);
        dryRun = dryRun == null || dryRun;
        force = force != null && force;
        columns = columns == null ? ALL_COLUMNS : columns;
        if (!columns.equals(ALL_COLUMNS) && !columns.equals(MISTAKE_ONLY)) {
            throw new ValidationException("columns", "must be \"all\" or \"mistake-only\", was \"" + columns + "\"");
        }
    }

    private static void validateWindow(String table, ObjectNode pk, Instant at, Long versionId, Instant since, Instant until,
            List<String> tables, List<String> changed, Map<String, JsonNode> match, List<Long> txIds, Map<String, JsonNode> context) {
        if (pk != null || at != null || versionId != null) {
            throw new ValidationException(pk != null ? "pk" : at != null ? "at" : "versionId",
                    "a window restore ('since', 'until', 'tables', 'changed', 'match', 'context', 'txIds') restores every row it finds: "
                            + "give no 'pk', 'at' or 'versionId'");
        }
        if (since == null && txIds == null) {
            throw new ValidationException("since", "is required for a window restore (or give 'txIds')");
        }
        if (since != null && until != null && !until.isAfter(since)) {
            throw new ValidationException("until", "must be after 'since'");
        }
        if (table != null && tables != null) {
            throw new ValidationException("tables", "give either 'table' or 'tables', not both");
        }
        requireNames("tables", tables);
        requireNames("changed", changed);
        if (txIds != null && (txIds.isEmpty() || txIds.contains(null))) {
            throw new ValidationException("txIds", "must list at least one transaction id, and no null");
        }
        if (match != null) {
            match.forEach((column, value) -> {
                if (value == null || !value.isValueNode() || value.isNull()) {
                    throw new ValidationException("match." + column, "must be a text, number or boolean value");
                }
            });
        }
        if (context != null) {
            if (context.isEmpty()) {
                throw new ValidationException("context", "must name at least one key of the application context, like {\"source\": \"billing-job\"}");
            }
            context.forEach((key, value) -> {
                if (key.isBlank()) {
                    throw new ValidationException("context." + key, "must name a key of the application context, like context.source");
                }
                io.datamanager.model.Input.text("context." + key, key);
                if (value == null || !value.isValueNode() || value.isNull()) {
                    throw new ValidationException("context." + key, "must be a text, number or boolean value");
                }
                if (value.isTextual()) {
                    io.datamanager.model.Input.text("context." + key, value.textValue());
                }
            });
        }
    }

    private static void requireNames(String field, List<String> names) {
        if (names != null && (names.isEmpty() || names.stream().anyMatch(n -> n == null || n.isBlank()))) {
            throw new ValidationException(field, "must list at least one name, and no empty one");
        }
    }

    /** Whether this restores the changes found in a window (or a list of transactions) rather than one row. */
    public boolean isWindow() {
        return since != null || txIds != null;
    }

    /** The tables of a window: {@code table}, {@code tables}, or null for every table. */
    public List<String> windowTables() {
        return table != null ? List.of(table) : tables;
    }

    public boolean mistakeOnly() {
        return MISTAKE_ONLY.equals(columns);
    }

    /** The {@code context} values as text, as {@code context.<key>=<value>} of history's search takes them. */
    public Map<String, String> contextText() {
        Map<String, String> out = new LinkedHashMap<>();
        if (context != null) {
            context.forEach((key, value) -> out.put(key, value.isTextual() ? value.asText() : value.toString()));
        }
        return out;
    }

    /** The {@code match} values as the text history's search compares ({@code 12.50}, {@code true}, {@code new}). */
    public Map<String, String> matchText() {
        Map<String, String> out = new LinkedHashMap<>();
        if (match != null) {
            match.forEach((column, value) -> out.put(column, value.isTextual() ? value.asText() : value.toString()));
        }
        return out;
    }
}
