package io.datamanager.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.datamanager.model.Json;
import io.datamanager.model.ParentProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code <data-dir>/run.json}: what a running {@code up} tells {@code status}, {@code down} and {@code example}:
 * its pid, addresses, this run's API token and the source database; written when {@code up} begins (so a starting
 * stack can be stopped), again when it is ready and whenever a component was restarted (its new pid). Readable by its owner only (it holds the
 * token and the database password); removed when {@code up} stops.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunFile(long pid, String url, String token, Ports ports, String sourceJdbcUrl, String sourceUser, String sourcePassword,
        String redisUrl, Instant startedAt, Instant readyAt, Map<String, Long> components) {

    /** The stack's Kafka, for clients on this machine. */
    String kafkaBootstrap() {
        return "127.0.0.1:" + ports.kafka();
    }

    static Path path(Path dataDir) {
        return dataDir.resolve("run.json");
    }

    /** Replaces the file at once (written beside it, then moved): status and down never see half of it, nor none. */
    void write(Path dataDir) {
        Path file = path(dataDir);
        try {
            Secrets.writeOwnerOnly(file, Json.toBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The run file of a stack that is running now; empty when there is none (or its process is gone). */
    static Optional<RunFile> ofRunning(Path dataDir) {
        return read(dataDir).filter(run -> ParentProcess.running(run.pid()));
    }

    /** The run file as it is, whether its {@code up} still runs or not; empty when there is none. */
    static Optional<RunFile> read(Path dataDir) {
        Path file = path(dataDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(file.toFile(), RunFile.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The components whose processes still run. */
    Map<String, Long> running() {
        Map<String, Long> alive = new java.util.LinkedHashMap<>();
        components().forEach((name, pid) -> {
            if (ParentProcess.running(pid)) {
                alive.put(name, pid);
            }
        });
        return alive;
    }

    static void remove(Path dataDir) {
        try {
            Files.deleteIfExists(path(dataDir));
        } catch (IOException e) {
            // the next start sees the process is gone
        }
    }
}
