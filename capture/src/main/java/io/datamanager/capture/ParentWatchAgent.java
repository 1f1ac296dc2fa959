package io.datamanager.capture;

import java.lang.instrument.Instrumentation;

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
        String value = System.getenv(PARENT_PID);
        if (value == null || value.isBlank()) {
            return; // started by hand: nothing to watch
        }
        long pid;
        try {
            pid = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            System.err.println("datamanager: " + PARENT_PID + "=" + value + " is not a process id; the parent is not watched");
            return;
        }
        if (!running(pid)) {
            System.err.println("datamanager: the parent process " + pid + " is gone: not starting Debezium Server");
            Runtime.getRuntime().halt(1); // before Quarkus starts: nothing to stop cleanly yet
        }
        Thread watch = new Thread(() -> {
            while (running(pid)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("datamanager: the parent process " + pid + " ended; stopping Debezium Server");
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
    }

    /**
     * Whether the process runs: it exists and is not a zombie. An ended parent that its own parent does not reap stays a
     * zombie, which {@link ProcessHandle#isAlive()} calls alive (the same rule as change-model's {@code ParentProcess},
     * which this agent's classpath lacks).
     */
    static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return !(end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z');
        } catch (java.io.IOException | RuntimeException e) {
            return true; // no /proc here: isAlive decided
        }
    }
}
