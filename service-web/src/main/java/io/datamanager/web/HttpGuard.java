package io.datamanager.web;

import io.datamanager.model.Json;
import io.datamanager.model.QueryString;
import io.datamanager.model.ValidationException;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * What is checked of a request before any route sees it, and answered as problem+json like every other error:
 * the URI and header sizes (414, 431: the HTTP layer's own limits, {@code quarkus.http.limits.*}, are set higher,
 * so these answers come from here), the body size by Content-Length (413), a body's media type (JSON as UTF-8,
 * else 415), and the path and query as text (percent-decoded UTF-8, no NUL, no matrix parameters: 400). A
 * failure no mapper answered leaves as problem+json too.
 */
@ApplicationScoped
public class HttpGuard {
    static final int MAX_URI = 8 * 1024;
    static final int MAX_HEADERS = 16 * 1024;
    private static final Logger LOG = Logger.getLogger(HttpGuard.class);

    void install(@Observes Router router) {
        long maxBody = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue).orElse(10L * 1024 * 1024);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> check(ctx, maxBody));
        router.route().order(Integer.MIN_VALUE).failureHandler(HttpGuard::failed);
    }

    private static void check(RoutingContext ctx, long maxBody) {
        HttpServerRequest request = ctx.request();
        String uri = request.uri();
        if (uri.length() > MAX_URI) {
            problem(ctx, 414, "URI too long", "the request line's URI has " + uri.length() + " characters; at most " + MAX_URI + " are read",
                    null);
            return;
        }
        int headers = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headers += h.getKey().length() + h.getValue().length() + 4;
        }
        if (headers > MAX_HEADERS) {
            problem(ctx, 431, "Request header fields too large", "the headers have " + headers + " bytes; at most " + MAX_HEADERS
                    + " are read", null);
            return;
        }
        if (!request.path().startsWith("/api")) {
            ctx.next();
            return;
        }
        int question = uri.indexOf('?');
        try {
            QueryString.checkPath(question < 0 ? uri : uri.substring(0, question));
            QueryString.parse(question < 0 ? null : uri.substring(question + 1));
        } catch (ValidationException e) {
            problem(ctx, 400, "Invalid request", e.getMessage(), e.field());
            return;
        }
        String length = request.getHeader("Content-Length");
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        long size;
        try {
            size = length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            problem(ctx, 400, "Invalid request", "Content-Length is not a number", "Content-Length");
            return;
        }
        if (size > maxBody) {
            problem(ctx, 413, "Request body too large", "the body has " + size + " bytes; at most " + maxBody + " are accepted", null);
            return;
        }
        if (chunked) {
            problem(ctx, 411, "Length required", "send the body with a Content-Length: bodies here are small JSON documents, "
                    + "and one of unknown length is not read", "Content-Length");
            return;
        }
        if (size > 0) {
            String reason = mediaTypeProblem(request.getHeader("Content-Type"));
            if (reason != null) {
                problem(ctx, 415, "Unsupported media type", reason, "Content-Type");
                return;
            }
        }
        ctx.next();
    }

    /** Why a body's media type is not JSON as UTF-8, or null when it is. */
    static String mediaTypeProblem(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return "a body needs 'Content-Type: application/json'";
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            return "the body must be application/json, was '" + contentType + "'";
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            if (kv[0].trim().equalsIgnoreCase("charset")) {
                String charset = kv.length < 2 ? "" : kv[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    return "JSON is read as UTF-8 only, and the body says charset=" + charset;
                }
            }
        }
        return null;
    }

    private static void failed(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        if (status >= 500) {
            LOG.error("request failed: " + ctx.request().method() + " " + ctx.request().path(), ctx.failure());
        }
        String title = switch (status) {
            case 413 -> "Request body too large";
            case 500 -> "Internal error";
            default -> io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        };
        problem(ctx, status, title, status == 413 ? "the body is larger than this server accepts" : status >= 500
                ? "the request failed on the server; it is logged" : title, null);
    }

    static void problem(RoutingContext ctx, int status, String title, String detail, String field) {
        var response = ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (status == 411 || status == 413 || status == 414 || status == 431) {
            response.putHeader("Connection", "close"); // the rest of the request is not read
        }
        response.end(Buffer.buffer(Json.toBytes(new Problem("about:blank", title, status, detail, field, null))));
    }
}
