package io.datamanager.runtime.kafka;

import io.datamanager.runtime.FreePorts;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import io.datamanager.runtime.ChildProcesses;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), run as a child JVM
 * from the Maven-resolved Kafka jars. Its own classpath keeps its Kafka version apart from the client
 * version of the module under test. Data lives under the given directory, so a restart keeps topics and
 * offsets.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final String CLASSPATH_RESOURCE = "/io/datamanager/runtime/kafka-broker.classpath";

    private final Process process;
    private final int port;
    private final Path logFile;

    private KafkaBroker(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts a broker on free loopback ports with its data under {@code dataDir}; waits until it accepts clients. */
    public static KafkaBroker start(Path dataDir) {
        return start(dataDir, FreePorts.pick(), FreePorts.pick(), Duration.ofSeconds(90));
    }

    public static KafkaBroker start(Path dataDir, int port, int controllerPort, Duration timeout) {
        return start(dataDir, port, controllerPort, timeout, List.of());
    }

    /** Starts a broker whose JVM gets {@code jvmOptions} after the default ones (they win where they overlap). */
    public static KafkaBroker start(Path dataDir, int port, int controllerPort, Duration timeout, List<String> jvmOptions) {
        return start(dataDir, port, controllerPort, timeout, jvmOptions, java.util.Map.of());
    }

    /**
     * Starts a broker with {@code jvmOptions} after the default JVM options and {@code overrides} replacing or adding
     * server properties (the benchmark measures other broker settings this way).
     */
    public static KafkaBroker start(Path dataDir, int port, int controllerPort, Duration timeout, List<String> jvmOptions,
            java.util.Map<String, String> overrides) {
        try {
            Files.createDirectories(dataDir);
            Path config = writeConfig(dataDir, port, controllerPort, overrides);
            Path logFile = dataDir.resolve("broker.log");
            if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                String clusterId;
                do { // an id starting with '-' would read as an option
                    clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(uuidBytes());
                } while (clusterId.startsWith("-"));
                Process format = java(logFile, List.of(), "format", "format", "--cluster-id", clusterId, "--config", config.toString());
                if (!format.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
                    format.destroyForcibly();
                    throw new IllegalStateException("formatting Kafka storage failed; see " + logFile);
                }
            }
            Process process = java(logFile, jvmOptions, "serve", config.toString());
            KafkaBroker broker = new KafkaBroker(process, port, logFile);
            broker.awaitListening(timeout);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    /**
     * Starts a broker from the given server properties (as the {@code apache/kafka} image makes them from its
     * {@code KAFKA_*} environment), its storage formatted with {@code clusterId} when new; waits until it accepts
     * clients on {@code port}.
     */
    public static KafkaBroker start(Path dataDir, Properties server, String clusterId, int port, Duration timeout) {
        try {
            Files.createDirectories(dataDir);
            Path config = dataDir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                server.store(out, "from the compose environment");
            }
            Path logFile = dataDir.resolve("broker.log");
            Path logs = Path.of(server.getProperty("log.dirs", dataDir.resolve("logs").toString()));
            if (!Files.exists(logs.resolve("meta.properties"))) {
                Process format = java(logFile, List.of(), "format", "format", "--cluster-id", clusterId, "--config", config.toString());
                if (!format.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
                    format.destroyForcibly();
                    throw new IllegalStateException("formatting Kafka storage failed; see " + logFile);
                }
            }
            KafkaBroker broker = new KafkaBroker(java(logFile, List.of(), "serve", config.toString()), port, logFile);
            broker.awaitListening(timeout);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The child process itself (its pid, whether and how it ended), for a supervisor. */
    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the broker cleanly (SIGTERM), forcibly after 30 s. */
    @Override
    public void close() {
        ChildProcesses.stop(process, java.time.Duration.ofSeconds(30));
    }

    private void awaitListening(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see " + logFile);
            }
            if (listening() && answersMetadata()) {
                return;
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        close();
        throw new IllegalStateException("Kafka broker did not start within " + timeout + "; see " + logFile);
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private boolean answersMetadata() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(props)) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception notYet) {
            return false;
        }
    }

    private static Path writeConfig(Path dataDir, int port, int controllerPort, java.util.Map<String, String> overrides) throws IOException {
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs"),
                "num.partitions=3",
                "default.replication.factor=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                // durability as Kafka's defaults have it: a write is acknowledged once it is in the broker's log (the OS
                // page cache), which survives any crash of the broker's process; the OS writes it to disk within seconds.
                // An fsync per message (log.flush.interval.messages=1) made every produce wait for the disk and the
                // broker the slowest part of the stack (README: "Durability of the local Kafka")
                // the log cleaner's dedupe buffer, on the heap and touched at start: Kafka's 128 MB is for millions of keys
                // per cleaning; 32 MB hold about 1.3 M keys, more than the local stack's compacted topics have per segment
                "log.cleaner.dedupe.buffer.size=33554432",
                "");
        StringBuilder lines = new StringBuilder();
        for (String line : props.split("\n")) {
            String key = line.contains("=") ? line.substring(0, line.indexOf('=')) : line;
            if (!overrides.containsKey(key)) {
                lines.append(line).append('\n');
            }
        }
        overrides.forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));
        props = lines.toString();
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, props, StandardCharsets.UTF_8);
        return config;
    }

    private static Process java(Path logFile, List<String> jvmOptions, String mode, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.java());
        command.add("-Xms128m");
        command.add("-Xmx512m");
        command.add("-Xmn32m"); // with 8 MB survivor spaces: see ServiceProcess.JVM_OPTIONS
        command.add("-XX:SurvivorRatio=2");
        command.add("-XX:+UseSerialGC"); // C2 too: the broker runs as long as the stack, the JIT's start cost pays back
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        command.add("-Dorg.slf4j.simpleLogger.log.kafka=info");
        command.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
        command.add("-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath());
        command.add(BrokerMain.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mode);
        command.addAll(List.of(args));
        return new ProcessBuilder(ChildProcesses.ownSession(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    /** The broker's classpath: the jars resolved at build time plus this module's own classes. */
    static String classpath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build local-runtime with ./mvnw first");
            }
            String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            Path own = Path.of(BrokerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return own + java.io.File.pathSeparator + jars;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] uuidBytes() {
        UUID uuid = UUID.randomUUID();
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (uuid.getMostSignificantBits() >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (uuid.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return bytes;
    }

}
