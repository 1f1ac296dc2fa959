package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ValidationException;
import java.time.Instant;

/**
 * What to put back: a row ({@code table} + {@code pk}) to its state at a time ({@code at}) or after a
 * version ({@code versionId}), or to its last state before it was deleted (neither given); or every row a
 * source transaction touched ({@code txId}) to its state before that transaction. Dry run by default.
 */
public record RestoreRequest(String table, ObjectNode pk, Instant at, Long versionId, Long txId, Boolean dryRun, Boolean force) {
    public RestoreRequest {
        if (txId != null) {
            if (at != null || versionId != null) {
                throw new ValidationException("txId", "restores a whole transaction: give it without 'at' or 'versionId'");
            }
        } else if (versionId == null) {
            if (table == null || table.isBlank()) {
                throw new ValidationException("table", "is required (or give 'txId' or 'versionId')");
            }
            if (pk == null || pk.isEmpty()) {
                throw new ValidationException("pk", "is required: the primary key columns of the row, e.g. {\"id\": 42}");
            }
        }
        if (at != null && versionId != null) {
            throw new ValidationException("at", "give either 'at' or 'versionId', not both");
        }
        dryRun = dryRun == null || dryRun;
        force = force != null && force;
    }
}
