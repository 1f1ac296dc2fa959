package io.datamanager.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.datamanager.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code <data-dir>/run.json}: what a running {@code up} tells {@code status}, {@code down} and {@code example}:
 * its pid, addresses, this run's API token and the source database; written when {@code up} begins (so a starting
 * stack can be stopped) and again when it is ready. Readable by its owner only (it holds the
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

    void write(Path dataDir) {
        Path file = path(dataDir);
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, Json.toBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The run file of a stack that is running now; empty when there is none (or its process is gone). */
    static Optional<RunFile> ofRunning(Path dataDir) {
        Path file = path(dataDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            RunFile run = Json.mapper().readValue(file.toFile(), RunFile.class);
            return ProcessHandle.of(run.pid()).filter(ProcessHandle::isAlive).map(p -> run);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static void remove(Path dataDir) {
        try {
            Files.deleteIfExists(path(dataDir));
        } catch (IOException e) {
            // the next start sees the process is gone
        }
    }
}
