package io.datamanager.local;

import io.datamanager.model.ParentProcess;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code ./datamanager down}: asks {@code up} to stop (SIGTERM: it stops its parts in order) and waits until the stack
 * is gone: the run file removed and no component left. It does not wait for {@code up}'s own pid to vanish: a process
 * whose parent does not reap it stays a zombie after it ended, and looks alive to Java.
 */
final class Stopper {
    private final Path dataDir;
    private final RunFile run;
    private final PrintStream out;

    Stopper(Path dataDir, RunFile run, PrintStream out) {
        this.dataDir = dataDir;
        this.run = run;
        this.out = out;
    }

    /** True when the stack stopped within {@code timeout}; otherwise says what still runs. */
    boolean stop(Duration timeout) {
        out.println("stopping datamanager (pid " + run.pid() + ")...");
        ProcessHandle.of(run.pid()).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stopped()) {
                out.println("datamanager stopped");
                return true;
            }
            Readiness.pause(Duration.ofMillis(200));
        }
        Map<String, Long> left = run.running();
        out.println("datamanager did not stop within " + timeout.toSeconds() + " s: "
                + (left.isEmpty() ? "up (pid " + run.pid() + ") still runs" : "still running " + left)
                + "; see " + dataDir.resolve("logs"));
        return false;
    }

    /** up removed its run file last (or ended without removing it), and none of the components it had runs now. */
    private boolean stopped() {
        boolean upDone = !Files.exists(RunFile.path(dataDir)) || !ParentProcess.running(run.pid());
        return upDone && RunFile.read(dataDir).orElse(run).running().isEmpty() && run.running().isEmpty();
    }
}
