package io.datamanager.history.api;

import io.datamanager.history.restore.CompleteThrough;
import io.datamanager.history.restore.HistoryCompleteness;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every history answer ({@code /api/history}, as-of, transactions) says through which source position history was
 * complete when the request began: headers {@code DM-Complete-Through-LSN} and {@code DM-Complete-Through-Commit}
 * (also on the whole-table as-of, which is a JSON array), and {@code completeThrough} in the answers that are objects.
 * Taken before the query runs, so the answer holds at least every change committed before it. Absent while unknown.
 */
public class CompletenessHeaders {
    static final String LSN = "DM-Complete-Through-LSN";
    static final String COMMIT = "DM-Complete-Through-Commit";
    private final CompleteThrough through;
    private final RequestMark requestMark;

    CompletenessHeaders(CompleteThrough through, RequestMark requestMark) {
        this.through = through;
        this.requestMark = requestMark;
    }

    /** The mark the current request began with. */
    @jakarta.enterprise.context.RequestScoped
    public static class RequestMark {
        private HistoryCompleteness.Mark mark;

        // methods, not field access: the bean is reached through its client proxy
        public void set(HistoryCompleteness.Mark mark) {
            this.mark = mark;
        }

        public HistoryCompleteness.Mark get() {
            return mark;
        }

        /** The field for answers that are objects: null (left out) while unknown. */
        public CompleteThroughField field() {
            return CompleteThroughField.of(mark);
        }
    }

    /** The mark for the answer being made: null while unknown. */
    public record CompleteThroughField(String lsn, java.time.Instant commitTs) {
        static CompleteThroughField of(HistoryCompleteness.Mark mark) {
            return mark == null ? null : new CompleteThroughField(mark.lsn(), mark.commitTs());
        }
    }

    @ServerRequestFilter
    public void before(ContainerRequestContext request) {
        if (isHistory(request)) {
            through.get().ifPresent(requestMark::set);
        }
    }

    @ServerResponseFilter
    public void after(ContainerRequestContext request, ContainerResponseContext response) {
        HistoryCompleteness.Mark mark = isHistory(request) ? requestMark.get() : null;
        if (mark != null && response.getStatus() < 300) {
            response.getHeaders().putSingle(LSN, mark.lsn());
            response.getHeaders().putSingle(COMMIT, mark.commitTs().toString());
        }
    }

    private static boolean isHistory(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return request.getMethod().equals("GET") && (path.equals("/api/history") || path.equals("/api/history/as-of")
                || path.startsWith("/api/history/transactions"));
    }
}
