package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.model.TopicNames;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole public API under malformed input, driven by the gateway's own OpenAPI document: every route, method and
 * parameter gets wrong types, extremes, NUL and unicode, oversize, wrong methods and content types, missing and
 * read-only tokens ({@link ApiFuzz}). Whatever comes, no answer is a 5xx, every 4xx is problem+json with its status
 * and a title, input that must be refused is refused, and nothing is written: subscriptions, policies, history and
 * the source tables are as they were. The seed is printed; {@code -Ddm.fuzz.seed=} repeats a run. On the shared stack
 * its table ({@code fz_orders}, with a policy that redacts a column) and subscription are its own.
 */
@ExtendWith(SharedStack.class)
class ApiFuzzIT {
    private static Stack stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start(Stack shared) throws Exception {
        stack = shared;
        stack.sql("CREATE TABLE fz_orders (id integer PRIMARY KEY, status text NOT NULL, note text)",
                "INSERT INTO fz_orders VALUES (1, 'new', 'a'), (2, 'paid', NULL)", "UPDATE fz_orders SET status = 'sent' WHERE id = 1");
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> {
            var answer = stack.api("GET", "/api/history?table=public.fz_orders", null);
            return answer.statusCode() == 200
                    && Json.tree(answer.body().getBytes(StandardCharsets.UTF_8), "history").path("versions").size() >= 3;
        });
        var created = stack.api("PUT", "/api/subscriptions/fz-sub", "{\"table\":\"public.fz_orders\",\"ops\":[\"update\"],"
                + "\"delivery\":{\"webhook\":{\"url\":\"" + stack.hookUrl("/fz") + "\"}}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var policy = stack.api("PUT", "/api/history/policies/public.fz_orders", "{\"retentionDays\":365,\"redactedColumns\":[\"note\"]}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
    }

    @Test
    void malformedRequestsOnEveryRouteAreRefusedAsProblemsAndWriteNothing() throws Exception {
        long seed = Long.getLong("dm.fuzz.seed", System.nanoTime() % 1_000_000);
        System.out.println("fuzz seed " + seed + " (repeat with -Ddm.fuzz.seed=" + seed + ")");
        JsonNode openApi = Json.tree(get("/q/openapi?format=json"), "openapi");
        List<ApiFuzz.Case> cases = new ApiFuzz(samples(), seed).generate(openApi, 300);
        Map<String, String> before = state();

        Instant started = Instant.now();
        Map<String, Map<Integer, Integer>> byRoute = new TreeMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (ApiFuzz.Case c : cases) {
            Answer answer = send(c);
            byRoute.computeIfAbsent(c.route(), r -> new TreeMap<>()).merge(answer.status(), 1, Integer::sum);
            byStatus.merge(answer.status(), 1, Integer::sum);
            String problem = judge(c, answer);
            if (problem != null) {
                failures.add(c.method() + " " + abbreviate(c.target()) + " [" + c.what() + "]: " + problem);
            }
        }
        Duration took = Duration.between(started, Instant.now());
        Map<String, String> after = state();

        System.out.printf("%d requests in %d s%n", cases.size(), took.toSeconds());
        byRoute.forEach((route, statuses) -> System.out.printf("  %-62s %5d  %s%n", route,
                statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses));
        System.out.println("by status: " + byStatus);
        System.out.println(failures.size() + " failures");
        failures.stream().limit(400).forEach(f -> System.out.println("  " + f));

        assertThat(cases).hasSizeGreaterThanOrEqualTo(1000);
        assertThat(after).as("nothing written").isEqualTo(before);
        assertThat(failures).as("requests answered against the contract (first of %d)", failures.size()).isEmpty();
    }

    private record Answer(int status, String contentType, byte[] body, String error) {}

    /** Sends once more when the first attempt got no answer: a server may close a connection after refusing a request on it. */
    private Answer send(ApiFuzz.Case c) {
        Answer first = sendOnce(c);
        return first.status() == 0 ? sendOnce(c) : first;
    }

    private Answer sendOnce(ApiFuzz.Case c) {
        try {
            HttpRequest.BodyPublisher publisher = c.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : c.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(c.body()))
                    : HttpRequest.BodyPublishers.ofByteArray(c.body());
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + c.target()))
                    .timeout(Duration.ofSeconds(30)).method(c.method(), publisher);
            c.headers().forEach(request::header);
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("");
            try (InputStream in = response.body()) {
                byte[] body = type.startsWith("text/event-stream") ? new byte[0] : in.readNBytes(1 << 20);
                return new Answer(response.statusCode(), type, body, null);
            }
        } catch (Exception e) {
            return new Answer(0, "", new byte[0], e.toString());
        }
    }

    /** Null when the answer keeps the contract, else what is wrong with it. */
    private static String judge(ApiFuzz.Case c, Answer a) {
        if (a.status() == 0) {
            return "no answer: " + a.error();
        }
        if (a.status() >= 500) {
            return a.status() + " " + abbreviate(new String(a.body(), StandardCharsets.UTF_8));
        }
        if (a.status() >= 400) {
            if (!a.contentType().startsWith("application/problem+json")) {
                return a.status() + " as '" + a.contentType() + "', not problem+json: "
                        + abbreviate(new String(a.body(), StandardCharsets.UTF_8));
            }
            try {
                JsonNode p = Json.tree(a.body(), "problem");
                if (p.path("status").asInt() != a.status() || p.path("title").asText("").isBlank()) {
                    return a.status() + " problem without its status or a title: " + abbreviate(p.toString());
                }
            } catch (RuntimeException e) {
                return a.status() + " problem+json that is not JSON: " + abbreviate(new String(a.body(), StandardCharsets.UTF_8));
            }
            return null;
        }
        return c.mustRefuse() ? "accepted with " + a.status() + ": " + abbreviate(new String(a.body(), StandardCharsets.UTF_8)) : null;
    }

    private static ApiFuzz.Samples samples() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", "fz-sub");
        values.put("table", "public.fz_orders");
        values.put("letter", "fz-letter");
        values.put("limit", "5");
        values.put("op", "update");
        values.put("since", "2020-01-01T00:00:00Z");
        values.put("until", "2099-01-01T00:00:00Z");
        values.put("at", Instant.now().toString());
        values.put("changed", "status");
        values.put("pk.{column}", "1");
        values.put("match.{column}", "sent");
        values.put("match.{column}#column", "status");
        values.put("context.{key}", "billing-job");
        values.put("subscription", "fz-sub");
        values.put("lsn", "0/1");
        values.put("timeoutMs", "50");
        values.put("graceMinutes", "5");
        values.put("reason", "fuzz");
        Map<String, String> bodies = Map.of(
                "PUT /api/subscriptions/{id}", "{\"table\":\"public.fz_orders\",\"ops\":[\"insert\"],\"columns\":[\"status\"]}",
                "POST /api/subscriptions", "{\"id\":\"fz-new\",\"table\":\"public.fz_orders\",\"ops\":[\"update\"]}",
                "POST /api/subscriptions/{id}/preview", "{\"table\":\"public.fz_orders\",\"ops\":[\"update\"]}",
                "PUT /api/history/policies/{table}",
                "{\"tracking\":true,\"retentionDays\":90,\"minVersions\":2,\"redactedColumns\":[\"note\"]}",
                "POST /api/restore", "{\"table\":\"public.fz_orders\",\"pk\":{\"id\":1},\"dryRun\":true}");
        Map<String, List<String>> bad = Map.of(
                "PUT /api/subscriptions/{id}", List.of("{\"table\":\"public.nosuch\"}",
                        "{\"table\":\"public.fz_orders\",\"columns\":[\"nosuch\"]}"),
                "PUT /api/history/policies/{table}", List.of("{\"redactedColumns\":[\"nosuch\"]}", "{\"tracking\":\"false\"}",
                        "{\"tracking\":0}", "{\"retentionDays\":\"90\"}", "{\"redactedColumns\":[1]}"),
                "POST /api/restore", List.of("{\"table\":\"public.fz_orders\",\"pk\":{\"idd\":1}}",
                        "{\"table\":\"public.nosuch\",\"pk\":{\"id\":1}}",
                        "{\"table\":\"public.fz_orders\",\"pk\":{\"id\":1},\"dryRun\":\"false\"}",
                        "{\"table\":\"public.fz_orders\",\"pk\":{\"id\":1},\"at\":\"+999999999-12-31T23:59:59Z\"}",
                        "{\"since\":\"+999999999-12-31T23:59:59Z\"}", "{\"since\":\"2020-01-01T00:00:00Z\",\"txIds\":[\"1\"]}",
                        "{\"since\":\"2020-01-01T00:00:00Z\",\"match\":{\"status\":{\"a\":1}}}",
                        "{\"since\":\"2020-01-01T00:00:00Z\",\"context\":{\"source\":[1]}}",
                        "{\"since\":\"2020-01-01T00:00:00Z\",\"columns\":\"some\"}", "{\"since\":1577836800}"),
                "POST /api/subscriptions/{id}/preview", List.of("{\"table\":\"public.nosuch\"}",
                        "{\"table\":\"public.fz_orders\",\"columns\":[\"nosuch\"]}"));
        Set<String> writes = Set.of("PUT /api/subscriptions/{id}", "POST /api/subscriptions", "DELETE /api/subscriptions/{id}",
                "POST /api/subscriptions/{id}/dead-letters/{letter}/redeliver", "POST /api/subscriptions/{id}/secret/rotate",
                "PUT /api/history/policies/{table}", "DELETE /api/history/policies/{table}", "DELETE /api/history/rows",
                "DELETE /api/history/tables/{table}",
                "POST /api/history/retention/run");
        return new ApiFuzz.Samples(values, bodies, bad, writes, Set.of("POST /api/subscriptions/{id}/preview"), stack.token,
                stack.readToken);
    }

    /** What a malformed request must not change. */
    private static Map<String, String> state() throws Exception {
        Map<String, String> out = new TreeMap<>();
        TopicNames topics = new TopicNames(stack.prefix);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap))) {
            Set<String> names = admin.listTopics().names().get();
            out.put("subscription topics", names.stream().filter(n -> n.startsWith(stack.prefix + ".sub.")).sorted()
                    .collect(Collectors.joining(",")));
            var partitions = admin.describeTopics(List.of(topics.rules())).allTopicNames().get().get(topics.rules()).partitions();
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topics.rules(), p.partition()), OffsetSpec.latest()));
            out.put("dm.rules end offsets", new TreeMap<>(admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()))).toString());
        }
        out.put("subscriptions", stack.api("GET", "/api/subscriptions", null).body());
        out.put("policies", query(stack.historyDatabase, "SELECT string_agg(concat_ws(' ', table_name, tracking, retention_days, "
                + "min_versions, "
                + "redacted_columns::text), '; ' ORDER BY table_name) FROM dm_policy"));
        out.put("history", query(stack.historyDatabase,
                "SELECT count(*) || ' versions, newest ' || coalesce(max(seq), 0) FROM dm_version"));
        // the background retention (first run a minute after start) may log a run that removed nothing; a request that
        // ran retention is caught by its answer, since the fuzzer only sends requests that must be refused
        out.put("audit", query(stack.historyDatabase, "SELECT count(*) FROM dm_audit WHERE action <> 'retention' "
                + "OR (detail->>'deleted')::bigint > 0"));
        out.put("source fz_orders", query(stack.database, "SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY id), '')) FROM fz_orders o"));
        out.put("source tables", query(stack.database, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
                + "WHERE schemaname = 'public'"));
        return out;
    }

    private static String query(String database, String sql) throws Exception {
        try (Connection c = stack.pg.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private byte[] get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", " ");
        return one.length() > 160 ? one.substring(0, 160) + "…" : one;
    }
}
