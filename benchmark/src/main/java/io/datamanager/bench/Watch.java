package io.datamanager.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Follows the counts of a stage's outputs every few milliseconds from one start, noting when each first moved and
 * when it reached its target: the timings of a stage, all on one clock.
 */
final class Watch {
    /** One output's progress: seconds from the start to its first record and to its last, and what it held then. */
    record Progress(double firstSeconds, long heldAtFirst, double doneSeconds, long held) {
        boolean done() {
            return doneSeconds >= 0;
        }
    }

    private final Map<String, LongSupplier> counts = new LinkedHashMap<>();
    private final long target;

    Watch(long target) {
        this.target = target;
    }

    Watch add(String name, LongSupplier count) {
        counts.put(name, count);
        return this;
    }

    /**
     * Samples from {@code startNanos} until every count reached the target, {@code timeout} passed, or {@code alive}
     * turned false (a process that must run for the stage ended).
     */
    Map<String, Progress> await(long startNanos, Duration timeout, BooleanSupplier alive) throws InterruptedException {
        Map<String, Double> first = new LinkedHashMap<>();
        Map<String, Long> heldAtFirst = new LinkedHashMap<>();
        Map<String, Double> done = new LinkedHashMap<>();
        Map<String, Long> held = new LinkedHashMap<>();
        long deadline = startNanos + timeout.toNanos();
        while (done.size() < counts.size() && System.nanoTime() < deadline && alive.getAsBoolean()) {
            double now = (System.nanoTime() - startNanos) / 1e9;
            for (var entry : counts.entrySet()) {
                String name = entry.getKey();
                if (done.containsKey(name)) {
                    continue;
                }
                long n = entry.getValue().getAsLong();
                held.put(name, n);
                if (n > 0 && !first.containsKey(name)) {
                    first.put(name, now);
                    heldAtFirst.put(name, n);
                }
                if (n >= target) {
                    done.put(name, now);
                }
            }
            Thread.sleep(5);
        }
        Map<String, Progress> result = new LinkedHashMap<>();
        for (String name : counts.keySet()) {
            long n = done.containsKey(name) ? held.get(name) : counts.get(name).getAsLong();
            result.put(name, new Progress(first.getOrDefault(name, -1.0), heldAtFirst.getOrDefault(name, 0L), done.getOrDefault(name, -1.0), n));
        }
        return result;
    }
}
