package io.datamanager.capture;

import java.lang.instrument.Instrumentation;
import java.util.Optional;

/**
 * A Java agent for Debezium Server, which is not ours to change: given {@code -javaagent:capture.jar} (the launchers put
 * it into {@code JAVA_OPTS}, which Debezium Server's {@code run.sh} passes on), it stops the server cleanly when the
 * process named by {@code DM_PARENT_PID} ends, so a Debezium Server started by a test or by {@code ./datamanager up}
 * never outlives it. A clean stop commits the offsets of what Kafka acknowledged; a stop that hangs is cut short.
 */
public final class ParentWatchAgent {
    static final String PARENT_PID = "DM_PARENT_PID";
    private static final long HALT_AFTER_MS = 60_000;

    private ParentWatchAgent() {}

    public static void premain(String args, Instrumentation instrumentation) {
        parent(System.getenv(PARENT_PID)).ifPresent(parent -> {
            Thread watch = new Thread(() -> {
                parent.onExit().join();
                System.err.println("datamanager: the parent process " + parent.pid() + " ended; stopping Debezium Server");
                Thread halt = new Thread(() -> {
                    try {
                        Thread.sleep(HALT_AFTER_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Runtime.getRuntime().halt(1);
                }, "dm-parent-watch-halt");
                halt.setDaemon(true);
                halt.start();
                System.exit(0);
            }, "dm-parent-watch");
            watch.setDaemon(true);
            watch.start();
        });
    }

    /** The live process named by the variable; empty when unset, not a pid, or already gone (then nothing is watched). */
    static Optional<ProcessHandle> parent(String pid) {
        if (pid == null || pid.isBlank()) {
            return Optional.empty();
        }
        try {
            return ProcessHandle.of(Long.parseLong(pid.trim()));
        } catch (NumberFormatException e) {
            System.err.println("datamanager: " + PARENT_PID + "=" + pid + " is not a process id; the parent is not watched");
            return Optional.empty();
        }
    }
}
