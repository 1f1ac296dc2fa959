package io.datamanager.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the child JVMs of tests: the same java, a clean stop first, a forced one after a grace period. */
public final class ChildProcesses {
    private ChildProcesses() {}

    /** The java executable of this JVM. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The command to run in a session of its own (through {@code setsid}, where the machine has it), so a terminal's
     * Ctrl-C reaches only the parent, which then stops its children in order. Every child still ends with its parent:
     * each watches the parent's pid.
     */
    public static List<String> ownSession(List<String> command) {
        if (!java.nio.file.Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            return command;
        }
        List<String> detached = new java.util.ArrayList<>(command.size() + 1);
        detached.add("/usr/bin/setsid");
        detached.addAll(command);
        return detached;
    }

    /** SIGTERM, then SIGKILL when the process has not ended within {@code grace}. */
    public static void stop(Process process, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
