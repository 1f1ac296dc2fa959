package io.datamanager.local;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the stack whole while {@code up} runs: a part whose process died is started again in place (same ports, same
 * data), after a pause that doubles with each failure in a row (1 s, 2 s, 4 s ... at most 30 s), and {@code up} says
 * so on a line, then again when it is back. Parts are looked at in the order they started, so PostgreSQL and Kafka
 * come back before what needs them. After each restart {@code onRestart} runs (the run file gets the new pid).
 */
final class Supervisor {
    /** A part that ran this long before it died starts again after the shortest pause. */
    static final Duration STABLE = Duration.ofSeconds(60);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);
    private static final Duration LOOK_EVERY = Duration.ofMillis(250);

    private final List<Part> parts;
    private final PrintStream out;
    private final Runnable onRestart;
    private final Map<String, Integer> restarts = new HashMap<>();
    private final Map<String, Integer> failuresInARow = new HashMap<>();
    private volatile boolean running;
    private Thread thread;

    Supervisor(List<Part> parts, PrintStream out, Runnable onRestart) {
        this.parts = List.copyOf(parts);
        this.out = out;
        this.onRestart = onRestart;
    }

    void start() {
        running = true;
        thread = new Thread(this::watch, "dm-supervisor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops watching (a restart under way is abandoned); the caller then stops the parts. */
    void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The pause before the next start of a part that failed {@code failures} times in a row (1 the first time). */
    static Duration pause(int failures) {
        long seconds = 1L << Math.min(Math.max(failures - 1, 0), 5);
        return Duration.ofSeconds(Math.min(seconds, MAX_PAUSE.toSeconds()));
    }

    private void watch() {
        while (running) {
            try {
                for (Part part : parts) {
                    if (running && !part.isAlive()) {
                        heal(part);
                    }
                }
                Thread.sleep(LOOK_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void heal(Part part) throws InterruptedException {
        String name = part.name();
        if (part.upFor() >= STABLE.toMillis()) {
            failuresInARow.put(name, 0);
        }
        String why = "died (exit " + part.exitCode().stream().mapToObj(Integer::toString).findFirst().orElse("unknown") + ")";
        while (running) {
            int failures = failuresInARow.merge(name, 1, Integer::sum);
            int restart = restarts.merge(name, 1, Integer::sum);
            Duration pause = pause(failures);
            say(name, String.format("%s; restarting in %d s (restart %d)", why, pause.toSeconds(), restart));
            Thread.sleep(pause.toMillis());
            long began = System.nanoTime();
            try {
                part.restart();
                say(name, String.format("back in %.1f s (pid %d)", (System.nanoTime() - began) / 1e9, part.pid()));
                onRestart.run();
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (!running || Thread.currentThread().isInterrupted()) {
                    return;
                }
                why = "did not come back (" + oneLine(e) + ")";
            }
        }
    }

    private void say(String name, String what) {
        out.printf("  %-15s %s%n", name, what);
        out.flush();
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
