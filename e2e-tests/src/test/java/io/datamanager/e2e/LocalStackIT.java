package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.examples.httpnotify.WebhookReceiver;
import io.datamanager.model.Json;
import io.datamanager.testsupport.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A new user's path, through the public HTTP API only: {@code ./datamanager up} on the embedded PostgreSQL, a
 * webhook subscription, changes made with SQL arriving signed, a row's history, a deleted row restored, the
 * README's examples, {@code ./datamanager down}, changes made while the pipeline is down (with
 * {@code ./datamanager db}), and {@code up} again capturing them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
    private static final Pattern TESTED_BLOCK = Pattern.compile("<!-- tested by LocalStackIT -->\\s*```bash\\n(.*?)```", Pattern.DOTALL);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private static Datamanager dm;
    private static Process up;
    private static WebhookReceiver receiver;
    private static String url;
    private static String token;

    @BeforeAll
    static void up() throws Exception {
        Path work = Files.createDirectories(TestKafka.workDir().resolve("local-stack-" + UUID.randomUUID().toString().substring(0, 8)));
        dm = new Datamanager(work.resolve("data"));
        Path log = work.resolve("up-1.log");
        up = dm.up(log, Duration.ofMinutes(5));
        JsonNode run = dm.runFile();
        url = run.path("url").asText();
        token = run.path("token").asText();
        System.out.println("./datamanager up on a new data directory: ready in " + Datamanager.readyIn(log) + " s");
        receiver = new WebhookReceiver(0, received::add);
    }

    @AfterAll
    static void down() throws Exception {
        if (up != null && up.isAlive()) {
            dm.run("down");
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    @Order(1)
    void aChangeMadeWithSqlArrivesAsASignedWebhook() throws Exception {
        HttpResponse<String> created = api("PUT", "/api/subscriptions/e2e-customers",
                "{\"table\":\"public.customers\",\"delivery\":{\"webhook\":{\"url\":\"" + receiver.url() + "\"}}}");
        assertThat(created.statusCode()).isEqualTo(201);
        receiver.secret(json(created.body()).path("delivery").path("webhook").path("secret").asText());

        int[] probe = {0};
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            dm.sql("UPDATE customers SET name = 'Renamed " + (++probe[0]) + "' WHERE id = 5");
            return received.stream().anyMatch(c -> c.path("pk").path("id").asInt() == 5);
        });
        JsonNode change = received.stream().filter(c -> c.path("pk").path("id").asInt() == 5).findFirst().orElseThrow();
        assertThat(change.path("op").asText()).isEqualTo("update");
        assertThat(change.path("after").path("name").asText()).startsWith("Renamed ");
        assertThat(change.path("before").path("email").asText()).as("a full before image").isEqualTo("customer5@example.org");
    }

    @Test
    @Order(2)
    void theRowsHistoryListsItsVersionsNewestFirst() throws Exception {
        HttpResponse<String> history = api("GET", "/api/history?table=public.customers&pk.id=5", null);
        assertThat(history.statusCode()).isEqualTo(200);
        JsonNode versions = json(history.body()).path("versions");
        assertThat(versions.size()).isGreaterThanOrEqualTo(2);
        assertThat(versions.get(0).path("after").path("name").asText()).startsWith("Renamed ");
        assertThat(versions.get(versions.size() - 1).path("op").asText()).as("the oldest: the initial snapshot").isEqualTo("snapshot");
    }

    @Test
    @Order(3)
    void aRowDeletedByMistakeIsRestored() throws Exception {
        dm.sql("DELETE FROM orders WHERE id = 10");
        Awaitility.await().atMost(Duration.ofMinutes(1)).until(() ->
                json(api("GET", "/api/history?table=public.orders&pk.id=10&op=delete", null).body()).path("versions").size() == 1);

        HttpResponse<String> restored = api("POST", "/api/restore", "{\"table\":\"public.orders\",\"pk\":{\"id\":10},\"dryRun\":false}");
        assertThat(restored.statusCode()).isEqualTo(200);
        assertThat(json(restored.body()).path("applied").asBoolean()).isTrue();
        assertThat(dm.query("SELECT count(*) FROM orders WHERE id = 10")).isEqualTo("1");
    }

    @Test
    @Order(3)
    void theDemoShopsMistakeSaysWhoMadeItAndThePipelinePageSeesEveryPart() throws Exception {
        // the demo writes through context-jdbc: its mistaken delete of order 3 carries who and why, in history
        JsonNode mistake = json(api("GET", "/api/history?table=public.orders&pk.id=3&op=delete", null).body()).path("versions").get(0);
        assertThat(mistake.path("context").path("user").asText()).as(mistake.toString()).isEqualTo("intern");
        assertThat(mistake.path("context").path("source").asText()).isEqualTo("admin-script");
        JsonNode pipeline = json(api("GET", "/api/pipeline", null).body());
        for (String part : List.of("kafka", "history-sink", "capture", "streams-app")) {
            JsonNode component = null;
            for (JsonNode c : pipeline.path("components")) {
                component = c.path("name").asText().equals(part) ? c : component;
            }
            assertThat(component).as(part + " in " + pipeline.path("components")).isNotNull();
            assertThat(component.path("up").asBoolean()).as(component.toString()).isTrue();
        }
        assertThat(pipeline.path("slot").path("exists").asBoolean()).as(pipeline.path("slot").toString()).isTrue();
    }

    @Test
    @Order(4)
    void theReadmesExamplesRunAsWritten() throws Exception {
        String readme = Files.readString(dm.home.resolve("README.md"));
        Matcher blocks = TESTED_BLOCK.matcher(readme);
        List<String> ran = new ArrayList<>();
        while (blocks.find()) {
            String block = blocks.group(1);
            ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block).directory(dm.home.toFile()).redirectErrorStream(true);
            JsonNode run = dm.runFile();
            bash.environment().put("DM_URL", url);
            bash.environment().put("DM_TOKEN", token);
            bash.environment().put("DM_KAFKA", "127.0.0.1:" + (9092 + dm.portOffset));
            bash.environment().put("DM_PG", "postgres://postgres@127.0.0.1:" + (5433 + dm.portOffset) + "/shop");
            bash.environment().put("DM_REDIS", run.path("redisUrl").asText());
            bash.environment().put("DM_DATA_DIR", dm.data.toString());
            bash.environment().put("DM_NO_BUILD", "1");
            Process p = bash.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            System.out.println("README block:\n" + block + "--- printed:\n" + out);
            assertThat(p.exitValue()).as("README block\n" + block + "\nprinted\n" + out).isZero();
            ran.add(block);
        }
        assertThat(ran).as("README blocks marked as tested").hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    @Order(5)
    void downStopsEverythingAndUpAgainCapturesWhatChangedMeanwhile() throws Exception {
        List<Long> pids = new ArrayList<>();
        dm.runFile().path("components").forEach(pid -> pids.add(pid.asLong()));
        assertThat(dm.run("down")).contains("datamanager stopped");
        assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
        Path firstLog = dm.data.resolveSibling("up-1.log");
        assertThat(Files.readString(firstLog)).contains("datamanager stopped cleanly");
        assertThat(pids).hasSizeGreaterThanOrEqualTo(5).allSatisfy(pid ->
                assertThat(io.datamanager.model.ParentProcess.running(pid)).as("pid " + pid + " ended (or a zombie its reaper has yet to reap)").isFalse());
        assertThat(dm.data.resolve("run.json")).doesNotExist();

        Path dbLog = dm.data.resolveSibling("db.log");
        Process db = dm.start(dbLog, "db");
        Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(dbLog).contains("PostgreSQL is up"));
        dm.sql("UPDATE customers SET name = 'Changed while down' WHERE id = 6");
        dm.sql("INSERT INTO orders (id, customer_id, note) VALUES (777, 1, 'made while the pipeline was down')");
        db.destroy();
        assertThat(db.waitFor(1, TimeUnit.MINUTES)).isTrue();

        Path secondLog = dm.data.resolveSibling("up-2.log");
        up = dm.up(secondLog, Duration.ofMinutes(5));
        System.out.println("./datamanager up again: ready in " + Datamanager.readyIn(secondLog) + " s");
        url = dm.runFile().path("url").asText();
        token = dm.runFile().path("token").asText();

        Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> received.stream()
                .anyMatch(c -> c.path("pk").path("id").asInt() == 6 && "Changed while down".equals(c.path("after").path("name").asText())));
        Awaitility.await().atMost(Duration.ofMinutes(1)).until(() ->
                json(api("GET", "/api/history?table=public.orders&pk.id=777", null).body()).path("versions").size() == 1);
        assertThat(dm.run("down")).contains("datamanager stopped");
        assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        return Json.tree(body.getBytes(StandardCharsets.UTF_8), "answer");
    }
}
