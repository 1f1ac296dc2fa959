package io.datamanager.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The process that started this one ({@code DM_PARENT_PID}: the local stack's {@code up}, a test): a child must not
 * outlive it, nor start when it is already gone. A parent that exited but was not reaped by its own parent is a
 * zombie, which {@link ProcessHandle#isAlive()} still calls alive; here it counts as gone.
 */
public final class ParentProcess {
    private ParentProcess() {}

    /** Whether the process runs: it exists and is not a zombie (on Linux, where {@code /proc} says so). */
    public static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return !zombie(pid);
        }
        return false;
    }

    /**
     * Runs {@code onGone} once the process named by {@code parentPid} is gone, at once when it is gone already;
     * nothing when {@code parentPid} is empty (started by hand). Checks every half second on a daemon thread.
     */
    public static void watch(Optional<Long> parentPid, Runnable onGone) {
        if (parentPid.isEmpty()) {
            return;
        }
        long pid = parentPid.get();
        if (!running(pid)) {
            System.err.println("the parent process " + pid + " is gone: stopping");
            onGone.run();
            return;
        }
        Thread watch = new Thread(() -> {
            while (running(pid)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("the parent process " + pid + " is gone: stopping");
            onGone.run();
        }, "dm-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /**
     * Ends this JVM before anything starts when the process in {@code DM_PARENT_PID} is already gone: a service's
     * {@code main} calls it first, as a framework's start-up (and its shutdown) may take long enough to look alive.
     */
    public static void exitIfGoneAtStart() {
        fromEnvironment().filter(pid -> !running(pid)).ifPresent(pid -> {
            System.err.println("the parent process " + pid + " is gone: not starting");
            System.exit(1);
        });
    }

    /** The pid in {@code DM_PARENT_PID} of this process's environment; empty when unset or blank. */
    public static Optional<Long> fromEnvironment() {
        String value = System.getenv("DM_PARENT_PID");
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Long.parseLong(value.trim()));
    }

    private static boolean zombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat);
            // "pid (command) state ...": the command may hold spaces and parentheses, the state follows the last ')'
            int end = text.lastIndexOf(')');
            return end > 0 && end + 2 < text.length() && text.charAt(end + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc here, or the process ended just now: isAlive decided
        }
    }
}
