package io.datamanager.testsupport;

import io.datamanager.runtime.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A Kafka broker in KRaft mode, started once per test JVM and shared: the address in
 * {@code DM_TEST_KAFKA_BOOTSTRAP} when set, else a Testcontainers {@code apache/kafka} where Docker runs,
 * else a real broker process started from the Maven-resolved Kafka jars ({@link KafkaBroker}) on free
 * loopback ports. Tests keep apart by unique topic names and consumer groups.
 */
public final class TestKafka {
    private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);
    private static TestKafka shared;

    private final String bootstrapServers;

    private TestKafka(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public static synchronized TestKafka shared() {
        if (shared == null) {
            shared = start();
            LOG.info("test Kafka at {}", shared.bootstrapServers);
        }
        return shared;
    }

    private static TestKafka start() {
        String external = System.getenv("DM_TEST_KAFKA_BOOTSTRAP");
        if (external != null && !external.isBlank()) {
            return new TestKafka(external);
        }
        if (Docker.available()) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.2");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-kafka"));
            return new TestKafka(container.getBootstrapServers());
        }
        // unique per start: Quarkus tests load this class again in their own class loader, in the same JVM
        Path dir = workDir().resolve("kafka-" + ProcessHandle.current().pid() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        KafkaBroker broker = KafkaBroker.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            deleteRecursively(dir);
        }, "stop-test-kafka"));
        return new TestKafka(broker.bootstrapServers());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where fixtures keep files: {@code dmtest.workdir} (set by the build to target/dm-test) or a temp folder. */
    public static Path workDir() {
        try {
            String configured = System.getProperty("dmtest.workdir");
            Path dir = configured != null ? Path.of(configured) : Files.createTempDirectory("dm-test");
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}", dir, e);
        }
    }
}
