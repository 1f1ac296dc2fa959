package io.datamanager.streams.config;

import io.datamanager.streams.topology.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** The topology's figures as Prometheus metrics at {@code /q/metrics} ({@code dm_streams_*}). */
@ApplicationScoped
public class MicrometerPipelineMetrics implements PipelineMetrics {
    private final MeterRegistry registry;
    private final Counter replays;
    private final Timer lag;

    MicrometerPipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.replays = Counter.builder("dm.streams.replays.dropped").description("replayed changes dropped").register(registry);
        this.lag = Timer.builder("dm.streams.end.to.end.lag")
                .description("time from the source commit to the change leaving for dm.changes")
                .publishPercentileHistogram()
                .register(registry);
    }

    @Override
    public void processed(String stage) {
        registry.counter("dm.streams.records.processed", "stage", stage).increment();
    }

    @Override
    public void deadLettered(String stage) {
        registry.counter("dm.streams.records.dead.lettered", "stage", stage).increment();
    }

    @Override
    public void contextRejected(String reason) {
        registry.counter("dm.streams.context.rejected", "reason", reason).increment();
    }

    @Override
    public void replayDropped() {
        replays.increment();
    }

    @Override
    public void endToEndLag(Duration duration) {
        lag.record(duration.isNegative() ? Duration.ZERO : duration);
    }
}
