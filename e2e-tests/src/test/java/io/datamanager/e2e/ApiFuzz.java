package io.datamanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Malformed requests for every route, method and parameter of an OpenAPI document: wrong types, extremes, NUL and
 * unicode, oversize, wrong methods and content types, missing and read-only tokens, bodies that are not the JSON
 * they should be. Each request changes one thing of a well-formed baseline (the samples), so what the server does
 * with it says something about that one thing. A write operation only ever gets requests it must refuse.
 */
final class ApiFuzz {
    /** One request; {@code target} is the raw path and query. */
    record Case(String route, String method, String target, Map<String, String> headers, byte[] body, boolean chunked, String what,
            boolean mustRefuse) {}

    /** What the fuzzer knows of the domain: well-formed values by parameter name, bodies by route, which operations write. */
    record Samples(Map<String, String> values, Map<String, String> bodies, Map<String, List<String>> badBodies, Set<String> writes,
            Set<String> optionalBodies, String writeToken, String readToken) {}

    private record Param(String name, String in, JsonNode schema) {}

    private static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH");

    private final Samples samples;
    private final Random random;
    private final List<Case> cases = new ArrayList<>();

    ApiFuzz(Samples samples, long seed) {
        this.samples = samples;
        this.random = new Random(seed);
    }

    List<Case> generate(JsonNode openApi, int randomExtra) {
        List<String[]> readOps = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = openApi.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api")) {
                continue;
            }
            for (String method : METHODS) {
                JsonNode op = path.getValue().get(method.toLowerCase(java.util.Locale.ROOT));
                if (op == null) {
                    wrongMethod(path.getKey(), method, path.getValue());
                    continue;
                }
                operation(path.getKey(), method, op);
                if (!write(method, path.getKey())) {
                    readOps.add(new String[] {method, path.getKey()});
                }
            }
        }
        for (int i = 0; i < randomExtra; i++) {
            String[] op = readOps.get(random.nextInt(readOps.size()));
            JsonNode operation = openApi.path("paths").path(op[1]).path(op[0].toLowerCase(java.util.Locale.ROOT));
            List<Param> params = params(operation);
            Map<String, String> query = baselineQuery(params);
            String name = "r" + random.nextInt(1000);
            if (!params.isEmpty() && random.nextBoolean()) {
                Param p = params.get(random.nextInt(params.size()));
                name = p.in().equals("query") ? queryName(p) : name;
            }
            query.put(name, FuzzValues.random(random));
            String chosen = name;
            add(op[1], op[0], target(op[1], pathValues(params, null, null), query), headers(op[0], op[1], samples.writeToken()),
                    body(op[0], op[1]), false, "random text in '" + name + "'",
                    params.stream().noneMatch(p -> queryName(p).equals(chosen)));
        }
        return cases;
    }

    private void operation(String path, String method, JsonNode op) {
        List<Param> params = params(op);
        boolean write = write(method, path);
        Map<String, String> pathValues = pathValues(params, null, null);
        Map<String, String> query = baselineQuery(params);
        String baseTarget = target(path, pathValues, query);
        byte[] body = body(method, path);
        for (Param p : params) {
            boolean freeText = !p.schema().has("pattern") && !p.schema().has("enum") && !p.schema().has("format")
                    && p.schema().path("type").asText("string").equals("string");
            for (FuzzValues.Value v : FuzzValues.forSchema(p.schema(), write)) {
                if (write && !v.mustRefuse()) {
                    continue;
                }
                String what = p.in() + " " + p.name() + ": " + v.what();
                if (v.raw().isEmpty() && !p.in().equals("query")) {
                    continue; // an empty path segment names another route, an empty header is no header
                }
                switch (p.in()) {
                    case "path" -> add(path, method, target(path, pathValues(params, p.name(), v.raw()), query), headers(method, path,
                            samples.writeToken()), body, false, what, v.mustRefuse());
                    case "query" -> {
                        Map<String, String> q = new LinkedHashMap<>(query);
                        q.put(queryName(p), v.raw());
                        add(path, method, target(path, pathValues, q), headers(method, path, samples.writeToken()), body, false, what,
                                v.mustRefuse());
                    }
                    case "header" -> {
                        if (!v.raw().contains("%")) { // a header carries no percent-encoding: only the plain values
                            Map<String, String> h = headers(method, path, samples.writeToken());
                            h.put(p.name(), v.raw());
                            add(path, method, baseTarget, h, body, false, what, v.mustRefuse() || !freeText);
                        }
                    }
                    default -> { }
                }
            }
            if (p.in().equals("query")) {
                Map<String, String> q = new LinkedHashMap<>(query);
                String twice = target(path, pathValues, q) + (q.isEmpty() ? "?" : "&") + enc(queryName(p)) + "="
                        + enc(samples.values().getOrDefault(p.name(), "x"));
                add(path, method, twice, headers(method, path, samples.writeToken()), body, false, "query " + p.name() + " given twice",
                        true);
            }
        }
        for (String unknown : List.of("bogus", "Table", "pk", "match.", "limit%5B%5D", "pk.idd", "match.%00")) {
            Map<String, String> q = new LinkedHashMap<>(query);
            if (q.containsKey(java.net.URLDecoder.decode(unknown, StandardCharsets.UTF_8))) {
                continue;
            }
            String t = target(path, pathValues, q) + (q.isEmpty() ? "?" : "&") + unknown + "=1";
            add(path, method, t, headers(method, path, samples.writeToken()), body, false, "unknown query parameter " + unknown, true);
        }
        add(path, method, baseTarget + (baseTarget.contains("?") ? "&" : "?") + "big=" + "x".repeat(20_000),
                headers(method, path, samples.writeToken()), body, false, "a 20 kB query (URI too long)", true);
        Map<String, String> big = headers(method, path, samples.writeToken());
        big.put("X-Big", "y".repeat(40_000));
        add(path, method, baseTarget, big, body, false, "a 40 kB header", true);
        tokens(path, method, baseTarget, body, write);
        if (!write) {
            Map<String, String> h = headers(method, path, samples.writeToken());
            h.put("Accept", "application/xml");
            add(path, method, baseTarget, h, body, false, "Accept: application/xml", false);
        }
        if (body != null || samples.bodies().containsKey(method + " " + path)) {
            bodies(path, method, baseTarget);
        }
    }

    private void tokens(String path, String method, String target, byte[] body, boolean write) {
        Map<String, String> none = headers(method, path, null);
        add(path, method, target, none, body, false, "no token", true);
        for (String auth : List.of("Bearer nope", "Basic Zm9vOmJhcg==", "Bearer " + samples.writeToken() + "x", "Bearer",
                "bearer " + samples.writeToken())) {
            Map<String, String> h = headers(method, path, null);
            h.put("Authorization", auth);
            add(path, method, target, h, body, false, "Authorization: " + auth.replace(samples.writeToken(), "<token>"), true);
        }
        if (write) {
            add(path, method, target, headers(method, path, samples.readToken()), body, false, "a read-only token", true);
        }
    }

    private void bodies(String path, String method, String target) {
        String route = method + " " + path;
        String sample = samples.bodies().get(route);
        boolean optional = samples.optionalBodies().contains(route);
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/jsonx", "json")) {
            Map<String, String> h = headers(method, path, samples.writeToken());
            h.put("Content-Type", type);
            byte[] bytes = type.endsWith("utf-16") ? sample.getBytes(StandardCharsets.UTF_16)
                    : bytes(sample); // ASCII, so only the declared charset is wrong
            add(path, method, target, h, bytes, false, "Content-Type: " + type, true);
        }
        Map<String, String> untyped = headers(method, path, samples.writeToken());
        untyped.remove("Content-Type");
        add(path, method, target, untyped, bytes(sample), false, "a body without Content-Type", true);
        List<String[]> bad = new ArrayList<>();
        for (String b : List.of("null", "[]", "\"x\"", "1", "true", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{a:1}", "[{}]", "{}}",
                "\uFEFF" + sample, sample + " x", sample + "}", sample + sample, sample + " // c", "/* c */" + sample,
                sample.replaceFirst("\\{", "{\"x\":NaN,"))) {
            bad.add(new String[] {b, "body " + abbreviate(b)});
        }
        if (!optional) {
            bad.add(new String[] {"", "an empty body"});
        }
        for (String escape : List.of("\\u0000", "\\uD800", "\\uDC00x")) {
            int at = sample.indexOf(":\"");
            if (at >= 0) {
                bad.add(new String[] {sample.substring(0, at + 2) + escape + sample.substring(at + 2), "a string with " + escape});
            }
        }
        ObjectNode object = (ObjectNode) Json.tree(bytes(sample), "sample");
        for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            for (JsonNode wrong : wrongTypes(field.getValue())) {
                ObjectNode copy = object.deepCopy();
                copy.set(field.getKey(), wrong);
                bad.add(new String[] {Json.toString(copy), field.getKey() + " as " + abbreviate(wrong.toString())});
            }
            String first = Json.toString(object);
            String duplicate = "{" + Json.toString(field.getKey()) + ":" + field.getValue() + "," + first.substring(1);
            bad.add(new String[] {duplicate, "duplicate key " + field.getKey()});
        }
        bad.add(new String[] {Json.toString(object.deepCopy().put("bogus", 1)), "unknown property bogus"});
        bad.add(new String[] {Json.toString(object.deepCopy().put("Table", "x")), "unknown property Table"});
        for (String b : samples.badBodies().getOrDefault(route, List.of())) {
            bad.add(new String[] {b, "body " + abbreviate(b)});
        }
        for (String[] b : bad) {
            add(path, method, target, headers(method, path, samples.writeToken()), bytes(b[0]), false, b[1], true);
        }
        byte[] notUtf8 = bytes(withAccent(sample));
        for (int i = 0; i < notUtf8.length; i++) {
            if ((notUtf8[i] & 0xff) == 0xC3) {
                notUtf8[i] = (byte) 0xFF;
            }
        }
        add(path, method, target, headers(method, path, samples.writeToken()), notUtf8, false, "a body that is not UTF-8", true);
        String huge = sample.replaceFirst("\\{", "{\"pad\":\"" + "z".repeat(70_000) + "\",");
        add(path, method, target, headers(method, path, samples.writeToken()), bytes(huge), false, "a 70 kB body", true);
        add(path, method, target, headers(method, path, samples.writeToken()), bytes(huge), true, "a 70 kB chunked body", true);
    }

    private static List<JsonNode> wrongTypes(JsonNode value) {
        var f = Json.mapper().getNodeFactory();
        List<JsonNode> out = new ArrayList<>();
        if (value.isBoolean()) {
            out.addAll(List.of(f.textNode(value.asText()), f.numberNode(value.asBoolean() ? 1 : 0), f.textNode("no"), f.arrayNode()));
        } else if (value.isIntegralNumber()) {
            out.addAll(List.of(f.textNode(value.asText()), f.booleanNode(true), f.numberNode(new java.math.BigDecimal("1.5")),
                    f.numberNode(new java.math.BigDecimal("1e400")), f.numberNode(new java.math.BigInteger("99999999999999999999")),
                    f.textNode("\uFF19\uFF10"), f.objectNode()));
        } else if (value.isTextual()) {
            out.addAll(List.of(f.numberNode(1), f.booleanNode(true), f.arrayNode(), f.objectNode(), f.textNode(""),
                    f.textNode(value.asText() + "\u0000")));
        } else if (value.isArray()) {
            out.addAll(List.of(f.textNode("x"), f.arrayNode().add(1), f.arrayNode().addNull(), f.arrayNode().add(f.arrayNode()),
                    f.objectNode(), f.arrayNode().add("a\u0000")));
        } else if (value.isObject()) {
            out.addAll(List.of(f.textNode("x"), f.arrayNode(), f.numberNode(1)));
        }
        return out;
    }

    private void wrongMethod(String path, String method, JsonNode pathItem) {
        List<Param> params = new ArrayList<>();
        pathItem.fields().forEachRemaining(op -> params.addAll(params(op.getValue())));
        Map<String, String> h = headers(method, path, samples.writeToken());
        boolean body = !method.equals("GET") && !method.equals("DELETE");
        if (body) {
            h.put("Content-Type", "application/json"); // a well-formed body, so the method is what is wrong
        }
        add(path, method, target(path, pathValues(params, null, null), Map.of()), h, body ? bytes("{}") : null, false,
                "method not allowed", true);
    }

    private void add(String path, String method, String target, Map<String, String> headers, byte[] body, boolean chunked, String what,
            boolean mustRefuse) {
        if (write(method, path) && !mustRefuse) {
            throw new IllegalStateException("a write that might be accepted: " + method + " " + target + " (" + what + ")");
        }
        cases.add(new Case(method + " " + path, method, target, headers, body, chunked, what, mustRefuse));
    }

    private boolean write(String method, String path) {
        return samples.writes().contains(method + " " + path);
    }

    private Map<String, String> headers(String method, String path, String token) {
        Map<String, String> h = new LinkedHashMap<>();
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        if (samples.bodies().containsKey(method + " " + path)) {
            h.put("Content-Type", "application/json");
        }
        return h;
    }

    private byte[] body(String method, String path) {
        String sample = samples.bodies().get(method + " " + path);
        return sample == null ? null : bytes(sample);
    }

    private static List<Param> params(JsonNode op) {
        List<Param> out = new ArrayList<>();
        for (JsonNode p : op.path("parameters")) {
            out.add(new Param(p.path("name").asText(), p.path("in").asText(), p.path("schema")));
        }
        return out;
    }

    private Map<String, String> pathValues(List<Param> params, String replaced, String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Param p : params) {
            if (p.in().equals("path")) {
                out.put(p.name(), p.name().equals(replaced) ? raw : enc(samples.values().getOrDefault(p.name(), "x")));
            }
        }
        return out;
    }

    /** The baseline query: every query parameter the samples have a value for. */
    private Map<String, String> baselineQuery(List<Param> params) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Param p : params) {
            if (p.in().equals("query") && samples.values().containsKey(p.name())) {
                out.put(queryName(p), enc(samples.values().get(p.name())));
            }
        }
        return out;
    }

    /** {@code pk.{column}} is sent as {@code pk.id}, {@code context.{key}} as {@code context.source}. */
    private String queryName(Param p) {
        return p.name().replace("{column}", samples.values().getOrDefault(p.name() + "#column", "id"))
                .replace("{key}", samples.values().getOrDefault(p.name() + "#key", "source"));
    }

    private static String target(String path, Map<String, String> pathValues, Map<String, String> query) {
        String out = path;
        for (Map.Entry<String, String> v : pathValues.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getValue());
        }
        StringBuilder sb = new StringBuilder(out);
        query.forEach((k, v) -> sb.append(sb.indexOf("?") < 0 ? '?' : '&').append(k.contains("%") ? k : enc(k)).append('=').append(v));
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The sample with an accent at the start of its first string value. */
    private static String withAccent(String sample) {
        return sample.replaceFirst("(:\\[?\")", "$1é");
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", " ");
        return one.length() > 60 ? one.substring(0, 60) + "…" : one;
    }
}
