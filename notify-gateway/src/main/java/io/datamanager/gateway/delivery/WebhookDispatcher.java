package io.datamanager.gateway.delivery;

import io.datamanager.gateway.config.Durations;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.TopicNames;
import io.datamanager.model.subscription.Subscription;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Delivers every {@code dm.sub.<id>} record to its subscription's webhook, through a {@link SubscriptionFeed}
 * of its own consumer group: per partition in order, offsets committed only up to what was delivered or
 * dead-lettered, so a crash redelivers, never drops; receivers deduplicate by {@code webhook-id}. Every
 * attempt checks the URL with the {@link UrlGuard} again and connects to the address that check passed. A record that is
 * not a change event is never sent: it goes to {@code dm.dlq} ({@link PipelineDeadLetters}) and delivery goes on.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);

    private final GatewayConfig config;
    private final RuleLog rules;
    private final TopicNames topics;
    private final UrlGuard guard;
    private final WebhookSender sender;
    private final StatusTrackers status;
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final DeadLetterStore deadLetterStore;
    private final PipelineDeadLetters pipelineDeadLetters;
    private SubscriptionFeed feed;

    WebhookDispatcher(GatewayConfig config, RuleLog rules, DeadLetterStore deadLetterStore, PipelineDeadLetters pipelineDeadLetters,
            io.micrometer.core.instrument.MeterRegistry registry, Vertx vertx) {
        this.config = config;
        this.deadLetterStore = deadLetterStore;
        this.pipelineDeadLetters = pipelineDeadLetters;
        this.registry = registry;
        this.status = new StatusTrackers("webhook", registry);
        this.rules = rules;
        this.topics = new TopicNames(config.topicPrefix());
        if (config.webhookConcurrency() < 1) {
            throw new IllegalArgumentException("DM_WEBHOOK_CONCURRENCY must be at least 1, not " + config.webhookConcurrency());
        }
        this.guard = new UrlGuard(InetAddress::getAllByName, new UrlGuard.Allow(config.allowLoopbackWebhooks(), config.allowPrivateWebhooks()));
        List<Duration> delays = Arrays.stream(config.retrySchedule().split(",")).map(String::trim).map(Durations::parse).toList();
        Clock clock = Clock.systemUTC();
        this.sender = new WebhookSender(WebhookSender.client(vertx, Duration.ofSeconds(5)), new WebhookSigner(clock),
                new RetrySchedule(delays, Math::random), Durations.parse(config.webhookTimeout()), clock);
    }

    void onStart(@Observes StartupEvent event) {
        feed = new SubscriptionFeed("webhooks", config.kafkaBootstrap(), config.deliveryGroup(), config.instanceId(), topics, this::deliver,
                config.webhookConcurrency());
        feed.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (feed != null) {
            feed.stop();
        }
    }

    /** One attempt now for a dead letter, outside the schedule; a success is marked so the letter leaves the list. */
    public WebhookSender.Outcome redeliver(String id, DeadLetterStore.Letter letter) throws Exception {
        Subscription subscription = rules.get(id).orElseThrow();
        if (subscription.delivery() == null || subscription.delivery().webhook() == null) {
            throw new io.datamanager.model.ValidationException("delivery.webhook", "the subscription has no webhook to deliver to");
        }
        UrlGuard.Vetted vetted = guard.check(subscription.delivery().webhook().url(), "delivery.webhook.url");
        byte[] body = Json.toBytes(letter.event());
        WebhookSender.Outcome outcome = sender.send(vetted, letter.eventId(), body,
                subscription.delivery().webhook().signingSecrets(java.time.Instant.now()), Integer.MAX_VALUE);
        if (outcome instanceof WebhookSender.Outcome.Delivered) {
            deadLetterStore.markRedelivered(id, letter.letter());
        }
        return outcome;
    }

    public DeliveryStatus status(String subscription) {
        return status.status(subscription, feed == null ? 0 : feed.pending(subscription));
    }

    /** Delivers one record, retrying on the schedule; returns when it is delivered, dead-lettered or to be skipped. */
    private void deliver(String id, ConsumerRecord<String, byte[]> record, PartitionWorker worker) throws InterruptedException {
        StatusTracker tracker = status.of(id);
        Subscription subscription = rules.get(id).orElse(null);
        if (subscription == null || subscription.delivery() == null || subscription.delivery().webhook() == null || tracker.disabled()) {
            return; // no webhook (topic or SSE only), removed, or disabled by 410
        }
        ChangeEvent event;
        try {
            event = ChangeEvent.fromJson(record.value());
        } catch (RuntimeException e) {
            // the streams-app writes only change events: this one came from elsewhere and never becomes one by waiting
            LOG.warnf(e, "record %d of %s-%d is not a change event; dead-lettered to dm.dlq", record.offset(), record.topic(), record.partition());
            pipelineDeadLetters.send("webhook", record, e);
            return;
        }
        String eventId = event.id();
        for (int attempt = 1; worker.active(); attempt++) {
            WebhookSender.Outcome outcome;
            try {
                UrlGuard.Vetted vetted = guard.check(subscription.delivery().webhook().url(), "delivery.webhook.url");
                outcome = sender.send(vetted, eventId, record.value(),
                        subscription.delivery().webhook().signingSecrets(java.time.Instant.now()), attempt);
            } catch (UrlGuard.Unresolved e) {
                outcome = sender.failed(e.getMessage(), attempt, null); // DNS may be down for a while: retried, not given up
            } catch (RuntimeException e) {
                outcome = new WebhookSender.Outcome.DeadLetter("not deliverable: " + e.getMessage());
            }
            switch (outcome) {
                case WebhookSender.Outcome.Delivered d -> {
                    tracker.delivered(event);
                    registry.counter("dm.gateway.webhook.deliveries", "subscription", id).increment();
                    return;
                }
                case WebhookSender.Outcome.RetryLater r -> {
                    tracker.failed(r.error());
                    registry.counter("dm.gateway.webhook.failures", "subscription", id).increment();
                    LOG.debugf("webhook of %s failed (%s); attempt %d again in %s", id, r.error(), attempt + 1, r.delay());
                    worker.pause(r.delay());
                }
                case WebhookSender.Outcome.DeadLetter d -> {
                    tracker.deadLettered(event, d.error());
                    registry.counter("dm.gateway.webhook.dead.letters", "subscription", id).increment();
                    deadLetterStore.add(id, record, d.error(), attempt);
                    return;
                }
                case WebhookSender.Outcome.Gone g -> {
                    tracker.disable(g.error());
                    LOG.warnf("subscription %s: %s; webhook delivery disabled", id, g.error());
                    return;
                }
            }
        }
    }
}
