package io.datamanager.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link CaptureMain} in a child JVM with connector-config's own runtime classpath (resolved at
 * build time into {@code capture.classpath}). Uses only JDK classes, so a module on another Kafka version
 * can depend on connector-config without its dependencies and still run capture. The child stops when its
 * parent process ends.
 */
public final class CaptureProcess implements AutoCloseable {
    private static final String CLASSPATH_RESOURCE = "/io/datamanager/capture/capture.classpath";
    private final Process process;
    private final Path log;

    private CaptureProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts capture with the given {@code DM_*} environment; output goes to {@code log}. */
    public static CaptureProcess start(Map<String, String> env, Path log) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(classpath());
        command.add(CaptureMain.class.getName());
        if (java.nio.file.Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add(0, "/usr/bin/setsid"); // a session of its own: a terminal's Ctrl-C reaches the parent, which stops it in order
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        if (!env.containsKey("DM_PARENT_PID")) { // a test may name another parent (one that is gone, to see capture stop)
            builder.environment().put("DM_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        }
        try {
            return new CaptureProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start capture", e);
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

    public Path log() {
        return log;
    }

    /** Ends capture at once (SIGKILL), as a crash would; returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops capture cleanly (SIGTERM: offsets are committed), forcibly after 60 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String classpath() {
        try (InputStream in = CaptureProcess.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build connector-config with ./mvnw first");
            }
            String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            Path own = Path.of(CaptureProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return own + java.io.File.pathSeparator + jars;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
