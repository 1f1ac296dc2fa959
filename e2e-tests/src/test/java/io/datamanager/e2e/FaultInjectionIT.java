package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.e2e.AuditCheck.Kind;
import io.datamanager.e2e.Versions.Version;
import io.datamanager.model.Json;
import io.datamanager.testsupport.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Faults under load, judged by an independent oracle: on one {@code ./datamanager up} stack, while two writers insert,
 * update and delete rows of two tables (one with a TOASTed text and NOT NULL columns of several types) in transactions
 * of one to four changes, each part of the stack is SIGKILLed in turn (up starts it again, says so in its output and
 * puts the new pid in its run file: the self-healing HealingIT relies on), the history database refuses
 * connections for 30 s, and poison records are produced to every topic the pipeline consumes. After each fault, once
 * history has caught up, it must hold exactly what a row trigger audited, in order; after the load, exactly all of it;
 * every audited change must have reached the webhook at least once (duplicates are counted, not failed), and every
 * poison record must be in {@code dm.dlq} with its reason. The steps run in this order, as one story; a table of figures
 * per fault is printed at the end.
 */
class FaultInjectionIT {
    private static final Duration RECOVERY = Duration.ofMinutes(3);
    private static final String HISTORY_DB = "dm_history";
    private static final Map<String, String> HOOKS = Map.of("fault-items", "/items", "fault-links", "/links");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final FaultTable faults = new FaultTable();
    private static final List<String> report = new ArrayList<>();
    private static Datamanager dm;
    private static Path upLog;
    private static FaultLoad load;
    private static WebhookLog hooks;
    private static String url;
    private static String token;

    @BeforeAll
    static void up() throws Exception {
        Path work = Files.createDirectories(TestKafka.workDir().resolve("faults-" + UUID.randomUUID().toString().substring(0, 8)));
        dm = new Datamanager(work.resolve("data"));
        dm.env.put("DEBEZIUM_SOURCE_TABLE_EXCLUDE_LIST", FaultLoad.EXCLUDED_FROM_CAPTURE); // the oracle is not captured
        upLog = work.resolve("up.log");
        dm.up(upLog, Duration.ofMinutes(5), "--no-activity");
        url = dm.runFile().path("url").asText();
        token = dm.runFile().path("token").asText();
        hooks = new WebhookLog();
        load = new FaultLoad(dm.jdbcUrl());
        for (var hook : HOOKS.entrySet()) {
            String table = hook.getKey().equals("fault-items") ? FaultLoad.ITEMS : FaultLoad.LINKS;
            HttpResponse<String> created = api("PUT", "/api/subscriptions/" + hook.getKey(), "{\"table\":\"" + table
                    + "\",\"delivery\":{\"webhook\":{\"url\":\"" + hooks.url(hook.getValue()) + "\"}}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            hooks.secret(hook.getValue(), json(created.body()).path("delivery").path("webhook").path("secret").asText());
        }
        // the rules reach the streams-app through dm.rules: warm up on rows the load never touches until both deliver
        Awaitility.await("both subscriptions deliver").atMost(RECOVERY).pollInterval(Duration.ofMillis(500)).until(() -> {
            sql(dm.jdbcUrl(), "INSERT INTO fault_items VALUES (0, 0, 'warm', 0, now(), current_date, true, '{}', 'warm') "
                    + "ON CONFLICT (id) DO UPDATE SET n = fault_items.n + 1",
                    "INSERT INTO fault_links VALUES (0, 'warm', 0) ON CONFLICT (a, b) DO UPDATE SET weight = fault_links.weight + 1");
            Set<String> paths = hooks.deliveries().stream().map(WebhookLog.Delivery::path).collect(Collectors.toSet());
            return paths.containsAll(HOOKS.values());
        });
        load.start(2, 100);
        faults.add(new FaultTable.Fault("(none: the load before the first fault)", 0, Double.NaN, Double.NaN, Double.NaN));
    }

    @AfterAll
    static void down() throws Exception {
        if (load != null) {
            load.close();
        }
        if (dm != null && Files.exists(dm.data.resolve("run.json"))) {
            dm.run("down");
        }
        if (hooks != null) {
            hooks.close();
        }
        report.forEach(System.out::println);
    }

    @TestFactory
    Stream<DynamicTest> faultsUnderLoadLeaveHistoryEqualToTheAudit() {
        List<DynamicTest> steps = new ArrayList<>();
        for (String part : List.of("capture", "streams-app", "history-sink", "notify-gateway", "kafka", "postgres")) {
            steps.add(dynamicTest("SIGKILL " + part + ": back, and history again equal to the audit", () -> kill(part)));
        }
        steps.add(dynamicTest("the history database refuses connections for 30 s: history catches up, equal to the audit",
                FaultInjectionIT::refuseHistoryDatabase));
        steps.add(dynamicTest("poison on dm.cdc, dm.changes, dm.rules and dm.sub: dead-lettered with a reason, the pipeline flows",
                FaultInjectionIT::poisonEveryTopic));
        steps.add(dynamicTest("after the load: history equals the audit, every change delivered by webhook", FaultInjectionIT::finalCheck));
        return steps.stream();
    }

    private static void kill(String part) throws Exception {
        long fromSeq = load.lastSeq();
        long old = dm.pid(part);
        long began = System.nanoTime();
        ProcessHandle.of(old).orElseThrow().destroyForcibly();
        long fresh = dm.awaitNewPid(part, old, RECOVERY);
        double back = seconds(began);
        awaitProbeInHistory("SIGKILL " + part);
        double inHistory = seconds(began);
        AuditCheck.Result result = caughtUp("SIGKILL " + part);
        faults.add(new FaultTable.Fault("SIGKILL " + part, fromSeq, back, inHistory, seconds(began)));
        assertEqualSoFar("SIGKILL " + part, result);
        assertThat(io.datamanager.model.ParentProcess.running(fresh)).as(part + "'s new pid " + fresh + " still runs").isTrue();
        assertThat(Files.readString(upLog)).as("up's output").containsPattern(Datamanager.diedLine(part))
                .containsPattern(Datamanager.backLine(part));
    }

    private static void refuseHistoryDatabase() throws Exception {
        long fromSeq = load.lastSeq();
        long began = System.nanoTime();
        sql(dm.jdbcUrl("postgres"), "ALTER DATABASE " + HISTORY_DB + " ALLOW_CONNECTIONS false",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + HISTORY_DB + "'");
        int webhooksBefore = hooks.deliveries().size();
        try {
            assertThatThrownBy(() -> historyDb().close()).as("the history database refuses").isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("database not accepting connections").isEqualTo("55000"));
            int probe = load.probe("history database refused");
            Thread.sleep(Math.max(0, Duration.ofSeconds(30).toMillis() - (System.nanoTime() - began) / 1_000_000)); // the fault lasts 30 s
            report.add(String.format("faults: webhooks delivered while the history database refused connections: %d",
                    hooks.deliveries().size() - webhooksBefore));
            sql(dm.jdbcUrl("postgres"), "ALTER DATABASE " + HISTORY_DB + " ALLOW_CONNECTIONS true");
            double back = seconds(began);
            awaitInHistory("public.fault_probe", "{\"id\":" + probe + "}", "the probe written while history was refused");
            double inHistory = seconds(began);
            AuditCheck.Result result = caughtUp("the history database refused connections");
            faults.add(new FaultTable.Fault("history database refusing connections for 30 s", fromSeq, back, inHistory, seconds(began)));
            assertEqualSoFar("the history database refused connections", result);
        } finally {
            sql(dm.jdbcUrl("postgres"), "ALTER DATABASE " + HISTORY_DB + " ALLOW_CONNECTIONS true");
        }
    }

    private static void poisonEveryTopic() throws Exception {
        long fromSeq = load.lastSeq();
        long began = System.nanoTime();
        String kafka = dm.kafkaBootstrap();
        List<Poison.Letter> letters = new ArrayList<>();
        letters.addAll(Poison.produce(kafka, "dm.cdc.public.fault_items", "poison-cdc",
                "{\"op\":\"c\",\"after\":{\"id\":1},\"source\":{\"schema\":\"public\",\"table\":\"fault_items\"}}"));
        letters.addAll(Poison.produce(kafka, "dm.changes", "poison-changes", "{\"v\":1,\"table\":\"public.fault_items\",\"op\":\"insert\"}"));
        letters.addAll(Poison.produce(kafka, "dm.rules", "poison-rule", "{\"id\":\"poison-rule\",\"table\":42}"));
        letters.addAll(Poison.produce(kafka, "dm.sub.fault-items", "poison-sub", "{\"hello\":\"world\"}"));
        int probe = load.probe("after the poison");
        awaitInHistory("public.fault_probe", "{\"id\":" + probe + "}", "the probe written after the poison");
        double inHistory = seconds(began);
        Map<String, List<Poison.DeadLetter>> found = new HashMap<>();
        Awaitility.await("every poison record in dm.dlq").atMost(RECOVERY).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> {
                    found.clear();
                    Poison.deadLetters(kafka, "dm.dlq").forEach(d -> found.computeIfAbsent(d.key(), k -> new ArrayList<>()).add(d));
                    assertThat(letters).allSatisfy(l -> assertThat(found).as(l.kind() + " on " + l.topic()).containsKey(l.key()));
                });
        double deadLettered = seconds(began);
        AuditCheck.Result result = caughtUp("the poison");
        faults.add(new FaultTable.Fault("poison on 4 topics (back: all in dm.dlq)", fromSeq, deadLettered, inHistory, seconds(began)));
        for (Poison.Letter letter : letters) {
            for (Poison.DeadLetter d : found.get(letter.key())) {
                report.add(String.format("faults: %s on %s: dead-lettered by %s: %s", letter.kind(), letter.topic(), d.stage(), d.error()));
                assertThat(d.sourceTopic()).as("source topic of " + letter.key()).isIn(letter.topic(), null);
                assertThat(d.error()).as("reason for " + letter.key()).isNotBlank();
            }
        }
        assertEqualSoFar("the poison", result);
    }

    private static void finalCheck() throws Exception {
        load.close();
        List<Version> audit = load.audit();
        AuditCheck.Result result = awaitHistory("after the load", () -> AuditCheck.exact(audit, historyVersions()));
        Map<String, Version> history = historyVersions().stream().collect(Collectors.toMap(Version::eventId, v -> v));
        Set<String> due = history.values().stream().filter(v -> !isWarmUp(v)).map(Version::eventId).collect(Collectors.toSet());
        try {
            Awaitility.await("every change delivered by webhook").atMost(RECOVERY).pollInterval(Duration.ofSeconds(1))
                    .until(() -> hooks.tally(history, due).missed().isEmpty());
        } catch (ConditionTimeoutException e) {
            // what is missing is counted and named below
        }
        WebhookLog.Tally webhooks = hooks.tally(history, due);
        faults.lines(audit, result, history, webhooks.perId()).forEach(line -> report.add("faults: " + line));
        report.add(String.format("faults: %d changes audited in %d transactions (%d failed: PostgreSQL away, deadlocks); webhooks: %d "
                + "requests for %d changes, %d due: %d missed, %d invented, %d with another change than history's, %d unsigned",
                audit.size(), load.committed(), load.failed(), webhooks.requests(), webhooks.perId().size(), due.size(),
                webhooks.missed().size(), webhooks.invented().size(), webhooks.wrong().size(), webhooks.unsigned()));
        try (Connection c = historyDb(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM dm_table WHERE table_name LIKE 'faults_audit.%'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the audit is not captured").isZero();
        }
        assertThat(result.mismatches()).as("history against the audit of %d changes", audit.size()).isEmpty();
        assertThat(webhooks.missed()).as("audited changes never delivered by webhook").isEmpty();
        assertThat(webhooks.invented()).as("webhooks of changes history does not hold").isEmpty();
        assertThat(webhooks.wrong()).as("webhooks whose change differs from history's").isEmpty();
        assertThat(webhooks.unsigned()).as("webhooks whose signature did not verify").isZero();
        assertThat(load.committed()).as("transactions the load committed").isGreaterThan(500);
    }

    /**
     * Waits until history holds every change audited by now (history read first, then the audit, so history can only
     * be behind it); returns how it compares with the audit: it must be exactly a beginning of every row's changes.
     */
    private static AuditCheck.Result caughtUp(String after) throws Exception {
        long due = load.lastSeq();
        return awaitHistory(after, () -> {
            List<Version> history = historyVersions();
            return AuditCheck.prefix(load.audit(), history, due);
        });
    }

    private static void assertEqualSoFar(String after, AuditCheck.Result result) {
        assertThat(result.mismatches()).as("history against the audit after " + after + ", %d changes due", result.due()).isEmpty();
    }

    @FunctionalInterface
    private interface Check {
        AuditCheck.Result run() throws Exception;
    }

    /** Runs the check until nothing due is missing or something is there that never goes away (doubled, wrong); the last result. */
    private static AuditCheck.Result awaitHistory(String when, Check check) {
        AuditCheck.Result[] last = {null};
        try {
            Awaitility.await("history caught up with the audit " + when).atMost(RECOVERY).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().until(() -> {
                        last[0] = check.run();
                        return last[0].lost() == 0 || last[0].count(Kind.DOUBLED) + last[0].count(Kind.WRONG) > 0;
                    });
        } catch (ConditionTimeoutException e) {
            if (last[0] == null) {
                throw e;
            }
        }
        return last[0];
    }

    private static boolean isWarmUp(Version v) {
        return v.key().equals("{\"id\":0}") || v.key().startsWith("{\"a\":0,");
    }

    /** Writes a probe row (again and again while PostgreSQL is away) and waits until history holds it. */
    private static void awaitProbeInHistory(String what) {
        int id = Awaitility.await("a probe row written after " + what).atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> load.probe(what), probe -> probe > 0);
        awaitInHistory("public.fault_probe", "{\"id\":" + id + "}", "the probe after " + what);
    }

    private static void awaitInHistory(String table, String key, String what) {
        Awaitility.await(what + " in history").atMost(RECOVERY).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            try (Connection c = historyDb(); var s = c.prepareStatement("SELECT count(*) FROM dm_version WHERE table_name = ? AND row_key = ?")) {
                s.setString(1, table);
                s.setString(2, key);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        });
    }

    private static Connection historyDb() throws SQLException {
        java.util.Properties props = new java.util.Properties();
        props.put("user", "postgres");
        props.put("password", "");
        props.put("connectTimeout", "2");
        props.put("socketTimeout", "30");
        return DriverManager.getConnection(dm.jdbcUrl(HISTORY_DB), props);
    }

    /** Every version history holds of the load's tables. */
    private static List<Version> historyVersions() throws SQLException {
        try (Connection c = historyDb()) {
            return Versions.history(c, FaultLoad.ITEMS, FaultLoad.LINKS);
        }
    }

    private static void sql(String jdbcUrl, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        return Json.tree(body.getBytes(StandardCharsets.UTF_8), "answer");
    }
}
