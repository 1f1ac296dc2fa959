package io.datamanager.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem: {@code application/problem+json}, naming the offending field where there is one; a refused
 * restore carries its plan in {@code restore} (history-sink), left out when null like every absent member.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, Object restore) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Response response(int status, String title, String detail, String field, Object restore) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, field, restore)).build();
    }

    public static Response response(int status, String title, String detail, String field) {
        return response(status, title, detail, field, null);
    }
}
