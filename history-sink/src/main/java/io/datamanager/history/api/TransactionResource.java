package io.datamanager.history.api;

import io.datamanager.history.store.ContextStore;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.TransactionQueries;
import io.datamanager.model.Input;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;

/** Finding the mistake: source transactions newest first, each with its tables and rows per operation. */
@Path("/api/history/transactions")
@Produces(MediaType.APPLICATION_JSON)
public class TransactionResource {
    private final TransactionQueries transactions;
    private final HistoryQueries queries;
    private final ContextStore contexts;
    private final CompletenessHeaders.RequestMark mark;

    TransactionResource(TransactionQueries transactions, HistoryQueries queries, ContextStore contexts, CompletenessHeaders.RequestMark mark) {
        this.transactions = transactions;
        this.queries = queries;
        this.contexts = contexts;
        this.mark = mark;
    }

    public record Page(List<TransactionQueries.Summary> transactions, String nextCursor,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            CompletenessHeaders.CompleteThroughField completeThrough) {}

    @GET
    @io.datamanager.web.QueryPrefixes("context.")
    public Page list(@QueryParam("table") String table, @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor, @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri)
            throws SQLException {
        if (table != null && queries.table(table).isEmpty()) {
            throw new ValidationException("table", "'" + table + "' has no history (see GET /api/tables)");
        }
        int pageSize = Params.limit(limit);
        List<TransactionQueries.Summary> page = transactions.page(new TransactionQueries.Query(table, Params.instant("since", since),
                Params.instant("until", until), Params.context(uri.getQueryParameters(), contexts), pageSize, cursor(cursor)));
        TransactionQueries.Summary last = page.size() == pageSize ? page.get(page.size() - 1) : null;
        return new Page(page, last == null ? null : cursor(new TransactionQueries.Cursor(last.commitTs(), last.txId())), mark.field());
    }

    /** One transaction's summary, with its application context (absent when none); its versions are one link away ({@code changes}). */
    public record One(long txId, java.time.Instant commitTs, String firstLsn, String lastLsn, long rows,
            List<TransactionQueries.TableCounts> tables,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            com.fasterxml.jackson.databind.node.ObjectNode context, String changes, @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            CompletenessHeaders.CompleteThroughField completeThrough) {}

    @GET
    @Path("/{txId}")
    public One one(@PathParam("txId") String txId) throws SQLException {
        long id = Input.number("txId", txId, 0, Long.MAX_VALUE);
        TransactionQueries.Summary s = transactions.one(id)
                .orElseThrow(() -> new NotFoundException("history holds no change of transaction " + id));
        return new One(s.txId(), s.commitTs(), s.firstLsn(), s.lastLsn(), s.rows(), s.tables(), s.context(), "/api/history?txId=" + id, mark.field());
    }

    private static String cursor(TransactionQueries.Cursor c) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((c.commitTs() + "|" + c.txId()).getBytes(StandardCharsets.UTF_8));
    }

    private static TransactionQueries.Cursor cursor(String value) {
        if (value == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 2) {
                throw new IllegalArgumentException("two parts");
            }
            return new TransactionQueries.Cursor(Input.instant("cursor", parts[0]), Input.number("cursor", parts[1], 0, Long.MAX_VALUE));
        } catch (RuntimeException e) {
            throw new ValidationException("cursor", "is not a cursor this API returned");
        }
    }
}
