package io.datamanager.gateway.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The web console (static files under {@code META-INF/resources}: {@code /} and {@code /console/...}) is served with
 * a Content-Security-Policy that allows scripts, styles and connections from this origin only (no inline script,
 * no framing), and with {@code nosniff}. The files hold no data and need no token; every call they make to
 * {@code /api} carries the user's bearer token in a header, never a cookie, so another site's form cannot act for them.
 */
@ApplicationScoped
public class ConsoleHeaders {
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ConsoleHeaders::headers);
    }

    static boolean isConsole(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith("/console/");
    }

    private static void headers(RoutingContext ctx) {
        if (isConsole(ctx.request().path())) {
            ctx.response().putHeader("Content-Security-Policy", POLICY)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("X-Frame-Options", "DENY")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cache-Control", "no-cache");
        }
        ctx.next();
    }
}
