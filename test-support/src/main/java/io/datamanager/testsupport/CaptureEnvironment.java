package io.datamanager.testsupport;

import io.datamanager.runtime.CaptureServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code DM_*} environment that points capture at a test database and the test Kafka, under a topic prefix of its
 * own, and Debezium Server started with it the way the local stack starts it.
 */
public final class CaptureEnvironment {
    private CaptureEnvironment() {}

    /** A mutable map, so a test can add or override variables. */
    public static Map<String, String> of(TestPostgres pg, String database, String bootstrapServers, String topicPrefix) {
        Map<String, String> env = new HashMap<>();
        env.put("DM_PG_HOST", pg.host());
        env.put("DM_PG_PORT", Integer.toString(pg.port()));
        env.put("DM_PG_USER", pg.user());
        env.put("DM_PG_PASSWORD", pg.password());
        env.put("DM_PG_DATABASE", database);
        env.put("DM_KAFKA_BOOTSTRAP", bootstrapServers);
        env.put("DM_TOPIC_PREFIX", topicPrefix);
        env.put("DM_SLOT_NAME", "slot_" + topicPrefix);
        return env;
    }

    /** Starts Debezium Server for a test, with its files under the test work folder; output goes to {@code log}. */
    public static CaptureServer startServer(Map<String, String> env, Path log) {
        Path root = TestKafka.workDir().resolve("debezium-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        return CaptureServer.start(layout(), root, env, log, io.datamanager.runtime.FreePorts.pick(), "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    }

    /** For tests: the repository named by {@code dmtest.home}, else the nearest folder up from here that has a capture module. */
    public static CaptureServer.Layout layout() {
        String home = System.getProperty("dmtest.home");
        Path dir = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("capture"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no capture module above " + Path.of("").toAbsolutePath() + ": set dmtest.home to the repository");
        }
        return CaptureServer.Layout.of(dir.toAbsolutePath().normalize());
    }
}
