package io.datamanager.history.api;

import io.datamanager.history.config.HistoryConfig;
import io.datamanager.history.restore.SourceDatabase;
import io.datamanager.history.tables.TableDirectory;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Capture's replication slot as the source database sees it: how much WAL it makes PostgreSQL keep, the first
 * thing to watch when capture is down or behind (a slot nobody reads retains WAL until the disk is full).
 */
@Path("/api/history/source/slot")
@Produces(MediaType.APPLICATION_JSON)
public class SlotResource {
    private static final String QUERY = "SELECT active, restart_lsn::text, confirmed_flush_lsn::text, pg_current_wal_lsn()::text, "
            + "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, "
            + "pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, wal_status "
            + "FROM pg_replication_slots WHERE slot_name = ?";

    private final SourceDatabase source;
    private final HistoryConfig config;

    SlotResource(SourceDatabase source, HistoryConfig config) {
        this.source = source;
        this.config = config;
    }

    /**
     * @param exists false when the source has no slot of that name (capture never ran, or DM_SLOT_NAME differs)
     * @param retainedWalBytes WAL PostgreSQL keeps for the slot (current position minus the slot's restart_lsn)
     * @param unconfirmedBytes WAL written since the position capture confirmed (how far capture is behind)
     * @param walStatus PostgreSQL's {@code wal_status}: reserved, extended, unreserved or lost
     */
    public record Slot(String slot, boolean exists, Boolean active, String restartLsn, String confirmedFlushLsn, String currentLsn,
            Long retainedWalBytes, Long unconfirmedBytes, String walStatus) {}

    @GET
    @Operation(summary = "Capture's replication slot in the source database: active, positions, the WAL it retains")
    @APIResponse(responseCode = "200", description = "the slot; exists is false when the source has none of that name")
    @APIResponse(responseCode = "404", description = "history-sink has no source database connection (DM_RESTORE_JDBC_URL)")
    @APIResponse(responseCode = "503", description = "the source database could not be read")
    public Slot slot() {
        String name = config.restore().slotName();
        if (!source.configured()) {
            throw new NotFoundException("history-sink has no source database connection (set DM_RESTORE_JDBC_URL), so the slot '"
                    + name + "' cannot be read");
        }
        try (Connection c = source.connect("slot"); PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Slot(name, false, null, null, null, null, null, null, null);
                }
                return new Slot(name, true, rs.getBoolean(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        (Long) rs.getObject(5), (Long) rs.getObject(6), rs.getString(7));
            }
        } catch (SQLException e) {
            throw new TableDirectory.SourceUnavailableException("the source database could not be read: " + e.getMessage(), e);
        }
    }
}
