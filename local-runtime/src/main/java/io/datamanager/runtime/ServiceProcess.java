package io.datamanager.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A datamanager service (a Quarkus {@code quarkus-run.jar}) run as a child process for end-to-end tests,
 * with its own classpath and the given {@code DM_*} environment. It stops when the test JVM ends.
 */
public final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ServiceProcess start(Path jar, Map<String, String> env, Path log) {
        return start(jar, env, log, List.of());
    }

    /**
     * What every datamanager JVM of the local stack gets (the services, and capture: Debezium Server): Serial GC, a
     * 192 MB ceiling, and a heap that starts at 48 MB and grows only as far as the process needs. Serial GC grows the old
     * generation up to the ceiling before it collects it whole, so the ceiling is what a busy JVM holds: at 384 MB the
     * streams-app held 564-583 MB after the benchmark's load (PSS) for a live set of 43 MB, at 192 MB 377-386 MB, with no
     * stage's CPU per change higher (two full benchmark runs each; capture's queue is bounded in bytes too). Without
     * {@code -Xms} the JVM starts with 1/64 of the machine's memory (about 380 MB on 24 GB), and a collector touches
     * all of its young generation, about a third of it, however little survives. Measured side by side (benchmark,
     * 20,000 changes): capture and the three services held 121 MB less after start and 212 MB less after the load.
     *
     * <p>A young generation of a fixed 32 MB with survivor spaces of 8 MB ({@code -Xmn32m -XX:SurvivorRatio=2}): with
     * the default sizing a 48 MB heap starts with survivor spaces of 1.6 MB, so whatever outlives one collection (a
     * poll's records, a transaction's output) overflows into the old generation, which Serial GC then grows, without a
     * full collection, up to the ceiling: the streams-app held 370 MB of heap for a live set of 43 MB. Measured side by
     * side (benchmark, 30,000 changes, every JVM with the same options): the whole stack 1,556 MB after the load instead of
     * 1,763 MB, the streams-app 399 MB instead of 552 MB. C2 as well as C1: services run long, and C1 alone halves their
     * throughput.
     */
    public static final List<String> JVM_OPTIONS = List.of("-Xms48m", "-Xmx192m", "-Xmn32m", "-XX:SurvivorRatio=2", "-XX:+UseSerialGC");

    /**
     * Starts the service with {@code jvmOptions} after the default ones, so they win where they overlap (the
     * benchmark measures other heap, GC or JIT settings and profiles with JFR this way).
     */
    public static ServiceProcess start(Path jar, Map<String, String> env, Path log, List<String> jvmOptions) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (./mvnw package)");
        }
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java()));
        command.addAll(JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ownSession(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        if (!env.containsKey("DM_PARENT_PID")) { // a test may name another parent (one that is gone, to see the child stop)
            builder.environment().put("DM_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        }
        try {
            ServiceProcess service = new ServiceProcess(builder.start(), log);
            Runtime.getRuntime().addShutdownHook(new Thread(service::close, "stop-" + jar.getFileName()));
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + jar, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child process itself (its pid, whether and how it ended), for a supervisor. */
    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Ends the service at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, java.time.Duration.ofSeconds(30));
    }
}
