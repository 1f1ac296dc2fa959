package io.datamanager.history.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Applies every table's retention in the background; each run is in the audit log and the metrics. */
@ApplicationScoped
public class RetentionJob {
    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    private final PolicyStore policies;
    private final Maintenance maintenance;
    private final Counter removed;

    RetentionJob(PolicyStore policies, Maintenance maintenance, MeterRegistry registry) {
        this.policies = policies;
        this.maintenance = maintenance;
        this.removed = Counter.builder("dm.history.retention.removed").description("versions removed by retention").register(registry);
    }

    @Scheduled(every = "${dm.history.retention-interval:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void run() {
        try {
            for (Policy policy : policies.withRetention()) {
                long deleted = maintenance.applyRetention(policy);
                removed.increment(deleted);
                LOG.infof("retention of %s: %d version(s) older than %d days removed", policy.table(), deleted, policy.retentionDays());
            }
        } catch (Exception e) {
            LOG.error("retention run failed; the next run tries again", e);
        }
    }
}
