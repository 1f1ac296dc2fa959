package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.model.Json;
import io.datamanager.model.ParentProcess;
import io.datamanager.runtime.ServiceProcess;
import io.datamanager.testsupport.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code ./datamanager up} tells the truth and stops cleanly, on one stack for the whole class: {@code status} with Kafka
 * or PostgreSQL down answers within 5 s naming it, and once up has started them again a new change arrives in history;
 * a child whose parent is gone does not start; {@code down} stops an up whose parent does not reap it; the API token
 * outlives down and up. The order matters: the last case stops the stack. (Each part SIGKILLed under load, started
 * again by up, which says so and puts the new pid in the run file, with history audited exactly once after each: that
 * is FaultInjectionIT, on its own stack.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealingIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Map<String, String> figures = new LinkedHashMap<>();
    private static Datamanager dm;
    private static Process unreapingParent;
    private static Path upLog;
    private static String url;
    private static String token;

    @BeforeAll
    static void up() throws Exception {
        Path work = Files.createDirectories(TestKafka.workDir().resolve("healing-" + UUID.randomUUID().toString().substring(0, 8)));
        dm = new Datamanager(work.resolve("data"));
        upLog = work.resolve("up.log");
        unreapingParent = dm.upUnreaped(upLog, Duration.ofMinutes(5), "--no-activity");
        url = dm.runFile().path("url").asText();
        token = dm.runFile().path("token").asText();
        dm.sql("CREATE TABLE heal_probe (id serial PRIMARY KEY, what text NOT NULL)");
    }

    @AfterAll
    static void stop() throws Exception {
        if (Files.exists(dm.data.resolve("run.json"))) {
            long up = dm.runFile().path("pid").asLong();
            dm.start(dm.data.resolveSibling("down-after.log"), "down").waitFor(3, TimeUnit.MINUTES);
            ProcessHandle.of(up).ifPresent(ProcessHandle::destroy); // ours, in case down could not reach it
        }
        if (unreapingParent != null) {
            unreapingParent.destroyForcibly();
        }
        figures.forEach((what, figure) -> System.out.println("healing: " + what + ": " + figure));
    }

    @Test
    @Order(1)
    void statusNamesWhatIsDownWithinFiveSeconds() throws Exception {
        long up = dm.runFile().path("pid").asLong();
        long kafka = pid("kafka");
        long postgres = pid("postgres");
        signal(up, "STOP"); // holds the supervisor, so what is killed stays down while status looks
        try {
            kill(kafka);
            String withoutKafka = status("Kafka down");
            assertThat(withoutKafka).containsPattern("kafka\\s+pid " + kafka + "\\s+DOWN").contains("Kafka is down");
            kill(postgres);
            String withoutPostgres = status("Kafka and PostgreSQL down");
            assertThat(withoutPostgres).containsPattern("postgres\\s+pid " + postgres + "\\s+DOWN").contains("PostgreSQL is down");
        } finally {
            signal(up, "CONT");
        }
        dm.awaitNewPid("postgres", postgres, Duration.ofMinutes(3));
        dm.awaitNewPid("kafka", kafka, Duration.ofMinutes(3));
        awaitProbeInHistory("after status");
        // just after Kafka and PostgreSQL came back a service's health check may still fail for a moment: status says so
        Awaitility.await("status shows every part up").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !status("everything back").contains("DOWN"));
    }

    @Test
    @Order(2)
    void aChildWhoseParentIsGoneAlreadyDoesNotStart() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        String gone = Long.toString(finished.pid());
        JsonNode run = dm.runFile();
        Path logs = Files.createDirectories(dm.data.resolveSibling("orphans"));
        CaptureServer capture = CaptureServer.start(CaptureServer.Layout.of(dm.home), logs.resolve("capture-server"), Map.of(
                "DM_PARENT_PID", gone, "DM_PG_HOST", "127.0.0.1", "DM_PG_PORT", run.path("ports").path("postgres").asText(),
                "DM_PG_DATABASE", "shop", "DM_PG_USER", "postgres", "DM_PG_PASSWORD", "",
                "DM_KAFKA_BOOTSTRAP", "127.0.0.1:" + run.path("ports").path("kafka").asText(), "DM_SLOT_NAME", "orphan_slot"),
                logs.resolve("capture.log"), io.datamanager.runtime.FreePorts.pick(), "");
        ServiceProcess gateway = ServiceProcess.start(dm.home.resolve("notify-gateway/target/quarkus-app/quarkus-run.jar"),
                Map.of("DM_PARENT_PID", gone, "DM_KAFKA_BOOTSTRAP", "127.0.0.1:" + run.path("ports").path("kafka").asText(),
                        "DM_GATEWAY_HTTP_PORT", "0", "DM_GATEWAY_TOKENS", "t:write", "DM_HISTORY_URL", "http://127.0.0.1:9"),
                logs.resolve("gateway.log"));
        try {
            Awaitility.await("capture started with a parent that is gone ends").atMost(Duration.ofSeconds(30)).until(() -> !capture.isAlive());
            Awaitility.await("the gateway started with a parent that is gone ends").atMost(Duration.ofSeconds(60)).until(() -> !gateway.isAlive());
            assertThat(Files.readString(logs.resolve("capture.log"))).contains("the parent process " + gone + " is gone");
        } finally {
            capture.close();
            gateway.close();
        }
    }

    @Test
    @Order(3)
    void downStopsAnUpItsParentDoesNotReapAndTheTokenOutlivesIt() throws Exception {
        long up = dm.runFile().path("pid").asLong();
        List<Long> components = new ArrayList<>();
        dm.runFile().path("components").forEach(pid -> components.add(pid.asLong()));
        long began = System.nanoTime();
        assertThat(dm.run("down")).contains("datamanager stopped");
        figures.put("down, up not reaped by its parent", String.format("%.1f s", seconds(began)));
        assertThat(seconds(began)).as("down's seconds").isLessThan(60);
        assertThat(components).allSatisfy(pid -> assertThat(ParentProcess.running(pid)).as("pid " + pid + " ended").isFalse());
        assertThat(ParentProcess.running(up)).as("up ended (a zombie now)").isFalse();
        assertThat(dm.data.resolve("run.json")).doesNotExist();
        assertThat(Files.readString(upLog)).contains("datamanager stopped cleanly");
        assertThat(Files.getPosixFilePermissions(dm.data.resolve("api.token"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        dm.up(dm.data.resolveSibling("up-2.log"), Duration.ofMinutes(5), "--no-activity");
        assertThat(dm.runFile().path("token").asText()).as("the token after down and up").isEqualTo(token);
        assertThat(api("/api/tables").statusCode()).as("the old token is let in").isEqualTo(200);
        assertThat(dm.run("down")).contains("datamanager stopped");
    }



    private static long pid(String part) throws Exception {
        return dm.runFile().path("components").path(part).asLong();
    }



    /** A new row written now arrives in history, through the gateway's API. */
    private static void awaitProbeInHistory(String what) throws Exception {
        int id = Awaitility.await("a probe row written").atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> Integer.parseInt(dm.query("INSERT INTO heal_probe (what) VALUES ('" + what + "') RETURNING id")), id1 -> id1 > 0);
        Awaitility.await("the probe after " + what + " in history").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> json(api("/api/history?table=public.heal_probe&pk.id=" + id).body()).path("versions").size() == 1);
    }


    /** Runs ./datamanager status, which must answer within 5 s and without a stack trace; returns what it printed. */
    private static String status(String when) throws Exception {
        Path log = Files.createTempFile(dm.data.getParent(), "status", ".log");
        long began = System.nanoTime();
        Process status = dm.start(log, "status");
        assertThat(status.waitFor(30, TimeUnit.SECONDS)).isTrue();
        double took = seconds(began);
        String out = Files.readString(log);
        System.out.println("status, " + when + ", in " + String.format("%.1f s", took) + ":\n" + out);
        figures.put("status, " + when, String.format("%.1f s", took));
        assertThat(took).as("seconds status took, " + when + ":\n" + out).isLessThan(5.0);
        assertThat(out).doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at ");
        return out;
    }

    private static void kill(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        Awaitility.await("pid " + pid + " gone").atMost(Duration.ofSeconds(30)).until(() -> !ParentProcess.running(pid));
    }

    private static void signal(long pid, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static HttpResponse<String> api(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        return Json.tree(body.getBytes(StandardCharsets.UTF_8), "answer");
    }
}
