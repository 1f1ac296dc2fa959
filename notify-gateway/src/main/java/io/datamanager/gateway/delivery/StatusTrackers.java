package io.datamanager.gateway.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The status of one delivery channel (webhook, Redis) per subscription, each with its lag gauge {@code dm.gateway.<channel>.lag.seconds}. */
final class StatusTrackers {
    private final String channel;
    private final MeterRegistry registry;
    private final Map<String, StatusTracker> trackers = new ConcurrentHashMap<>();

    StatusTrackers(String channel, MeterRegistry registry) {
        this.channel = channel;
        this.registry = registry;
    }

    StatusTracker of(String subscription) {
        return trackers.computeIfAbsent(subscription, s -> {
            StatusTracker created = new StatusTracker();
            Gauge.builder("dm.gateway." + channel + ".lag.seconds", created, StatusTracker::lagSecondsOrZero).tag("subscription", s)
                    .register(registry);
            return created;
        });
    }

    /** Where the subscription's delivery stands, with {@code pending} changes read and not yet done. */
    DeliveryStatus status(String subscription, long pending) {
        StatusTracker tracker = trackers.get(subscription);
        return tracker == null ? new DeliveryStatus(null, null, null, pending, 0, 0, null, false) : tracker.snapshot(pending);
    }
}
