package io.datamanager.local;

/**
 * The ports of one local stack: the defaults plus an offset, so two stacks (or a test's) can run side by side.
 * PostgreSQL and Redis default to 5433 and 6380 because 5432 and 6379 often belong to the machine's own.
 */
public record Ports(int gateway, int streams, int history, int kafka, int controller, int postgres, int redis, int capture,
        int captureMetrics) {

    public static Ports withOffset(int offset) {
        if (offset < 0 || offset > 50_000) {
            throw new IllegalArgumentException("--port-offset must be from 0 to 50000, was " + offset);
        }
        return new Ports(8080 + offset, 8081 + offset, 8082 + offset, 9092 + offset, 9093 + offset, 5433 + offset, 6380 + offset,
                8083 + offset, 8084 + offset);
    }
}
