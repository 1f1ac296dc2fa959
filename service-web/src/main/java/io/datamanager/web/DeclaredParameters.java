package io.datamanager.web;

import io.datamanager.model.QueryString;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A query parameter the route does not declare is refused with 400 naming it, rather than ignored (a misspelt
 * {@code txId} would otherwise widen a search, or let a write go through that meant something else); so is one
 * given twice, or given empty (which the framework would take as absent). A route declares its parameters with {@code @QueryParam} and prefixes with {@link QueryPrefixes}.
 */
public class DeclaredParameters {
    private record Declared(List<String> names, List<String> prefixes) {}

    private final Map<Method, Declared> declared = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void check(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null) {
            return;
        }
        Declared d = declared.computeIfAbsent(method, DeclaredParameters::of);
        var parameters = QueryString.parse(request.getUriInfo().getRequestUri().getRawQuery());
        QueryString.check(parameters, d.names(), d.prefixes());
        for (QueryString.Parameter p : parameters) {
            if (p.value().isEmpty() && d.names().contains(p.name())) { // the framework would take it as absent
                throw new ValidationException(p.name(), "is empty: give a value, or leave the parameter out");
            }
        }
    }

    private static Declared of(Method method) {
        List<String> names = new ArrayList<>();
        for (Annotation[] annotations : method.getParameterAnnotations()) {
            for (Annotation a : annotations) {
                if (a instanceof QueryParam q) {
                    names.add(q.value());
                }
            }
        }
        QueryPrefixes prefixes = method.getAnnotation(QueryPrefixes.class);
        return new Declared(List.copyOf(names), prefixes == null ? List.of() : List.of(prefixes.value()));
    }
}
