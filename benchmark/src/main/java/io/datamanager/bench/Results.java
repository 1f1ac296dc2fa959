package io.datamanager.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What a run measured, as the report writes it (report.json is these records as JSON). */
final class Results {
    private Results() {}

    /** Percentiles of a set of measurements in milliseconds. */
    record Percentiles(long count, double p50, double p95, double p99, double max) {
        static Percentiles of(Collection<Double> values) {
            if (values.isEmpty()) {
                return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(null);
            return new Percentiles(sorted.size(), at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99), sorted.get(sorted.size() - 1));
        }

        private static double at(List<Double> sorted, double q) {
            int index = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
        }
    }

    /**
     * One output of a stage: when it first held a record and when it held them all (seconds from the stage's start),
     * and the rate that makes, from {@code fromSeconds} (the first record the stage's source produced).
     */
    record Output(String output, long expected, long held, boolean complete, double firstSeconds, double doneSeconds,
            double fromSeconds, double throughput, Double ratioToReference) {}

    /** A stage of one workload: its outputs, CPU seconds by process while it ran, and PostgreSQL's CPU by kind of process. */
    record Phase(String phase, String description, double wallSeconds, List<Output> outputs, Map<String, Double> cpuSeconds,
            Map<String, Double> postgresCpuSeconds, List<Profiles.Summary> profiles, List<PgStatements.Statement> statements) {
        /** The rate of the output that ends the stage (its last). */
        Output last() {
            return outputs.get(outputs.size() - 1);
        }
    }

    record WorkloadResult(String workload, String description, long changes, long kafkaBytesReference, long kafkaBytesCapture,
            List<Phase> phases) {}

    /** A latency phase: single-row transactions at a rate, commit to webhook, to Redis key, and the barrier's answer. */
    record Latency(int targetRate, double achievedRate, double seconds, long changes, Percentiles webhookMs, long webhooksArrived,
            Percentiles redisMs, long redisKeysWritten, Percentiles barrierMs, long barriersAnswered, long barriersAsked,
            long barriersBeforeKeyWritten, boolean everyChangeArrived, double drainSeconds, Map<String, Percentiles> hopsMs,
            Map<String, Double> cpuSeconds) {}

    record Machine(String cpu, int cores, long memoryMb, String kernel, String os, String jdk, String postgres, String loadBefore,
            String loadAfter) {}

    record Run(String startedAt, double seconds, Machine machine, Map<String, Object> options, List<WorkloadResult> workloads,
            List<Latency> latency, Map<String, Map<String, Double>> memoryPssMb, List<String> notes) {}
}
