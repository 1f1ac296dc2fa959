package io.datamanager.gateway.pipeline;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.TopicNames;
import io.datamanager.model.subscription.Subscription;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

/**
 * What the gateway can see of the pipeline: whether Kafka and the services it knows the URLs of answer, how far each
 * consumer group is behind the topics it reads (committed offsets against end offsets, Kafka Admin only: no consumer
 * joins a group), the records held on the dead-letter topic, and the last hour of samples (one per
 * {@value #SAMPLE_SECONDS} s, taken by one daemon thread) for the console's chart of throughput and lag.
 */
@ApplicationScoped
public class PipelineMonitor {
    private static final Logger LOG = Logger.getLogger(PipelineMonitor.class);
    static final int SAMPLE_SECONDS = 10;
    static final int SAMPLES_KEPT = 3600 / SAMPLE_SECONDS;
    private static final long TIMEOUT_MS = 3_000;

    /** A component and whether it answered: {@code up}, or {@code detail} saying why not. */
    @Schema(name = "PipelineComponent")
    public record Component(String name, String url, boolean up, String detail) {}

    /**
     * A consumer group and the topics it reads; {@code lag} the records on them past its committed offsets (null
     * with {@code error} when it could not be read), {@code committed} false when the group has committed nothing yet.
     */
    @Schema(name = "PipelineStage")
    public record Stage(String name, String group, List<String> topics, Long lag, boolean committed, String error) {}

    /**
     * One point of the chart: records/s added to the changes topic since the sample before, each stage's lag, and the
     * WAL capture's slot retains in the source database (null when it could not be read).
     */
    @Schema(name = "PipelineSample")
    public record Sample(Instant at, Double changesPerSecond, long totalLag, Map<String, Long> lag, Long retainedWalBytes) {}

    /**
     * Capture's replication slot as history-sink reads it from the source database ({@code GET /api/history/source/slot});
     * {@code error} says why it could not be read (no history-sink URL, no source connection there, database down).
     */
    @Schema(name = "PipelineSlot")
    public record Slot(String slot, Boolean exists, Boolean active, Long retainedWalBytes, Long unconfirmedBytes, String walStatus,
            String confirmedFlushLsn, String currentLsn, String error) {
        static Slot unreadable(String error) {
            return new Slot(null, null, null, null, null, null, null, null, error);
        }
    }

    /**
     * @param deadLetters records held on the dead-letter topic (end minus start offsets), null when not readable
     * @param slot capture's replication slot and the WAL it retains
     */
    @Schema(name = "Pipeline")
    public record Snapshot(Instant at, List<Component> components, List<Stage> stages, String changesTopic, Long changesEndOffset,
            Double changesPerSecond, String deadLetterTopic, Long deadLetters, Slot slot, int sampleSeconds,
            List<Sample> samples) {}

    private record Reading(Instant at, List<Component> components, List<Stage> stages, Long changesEnd, Long deadLetters, Slot slot) {}

    private final GatewayConfig config;
    private final RuleLog rules;
    private final TopicNames topics;
    private final Pattern cdcTopics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(TIMEOUT_MS)).build();
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private Reading lastSampled; // guarded by samples
    private Admin admin;
    private ScheduledExecutorService sampler;

    PipelineMonitor(GatewayConfig config, RuleLog rules) {
        this.config = config;
        this.rules = rules;
        this.topics = new TopicNames(config.topicPrefix());
        this.cdcTopics = Pattern.compile(topics.cdcPattern());
    }

    void onStart(@Observes StartupEvent event) {
        Properties props = new Properties();
        props.put("bootstrap.servers", config.kafkaBootstrap());
        props.put("client.id", "dm-gateway-pipeline");
        props.put("request.timeout.ms", Long.toString(TIMEOUT_MS));
        props.put("default.api.timeout.ms", Long.toString(TIMEOUT_MS));
        admin = Admin.create(props);
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dm-pipeline-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sample, 1, SAMPLE_SECONDS, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** The pipeline now, with the samples of the last hour (oldest first). */
    public Snapshot snapshot() {
        Reading now = read();
        List<Sample> history;
        Double rate;
        synchronized (samples) {
            history = new ArrayList<>(samples);
            rate = rate(lastSampled, now);
        }
        return new Snapshot(now.at(), now.components(), now.stages(), topics.changes(), now.changesEnd(), rate, topics.dlq(),
                now.deadLetters(), now.slot(), SAMPLE_SECONDS, history);
    }

    private void sample() {
        try {
            Reading now = read();
            Map<String, Long> lag = new LinkedHashMap<>();
            long total = 0;
            for (Stage stage : now.stages()) {
                if (stage.lag() != null) {
                    lag.put(stage.name(), stage.lag());
                    total += stage.lag();
                }
            }
            synchronized (samples) {
                samples.addLast(new Sample(now.at(), rate(lastSampled, now), total, lag, now.slot().retainedWalBytes()));
                while (samples.size() > SAMPLES_KEPT) {
                    samples.removeFirst();
                }
                lastSampled = now;
            }
        } catch (RuntimeException e) {
            LOG.debugf(e, "pipeline sample failed");
        }
    }

    private static Double rate(Reading before, Reading now) {
        if (before == null || before.changesEnd() == null || now.changesEnd() == null) {
            return null;
        }
        double seconds = Duration.between(before.at(), now.at()).toMillis() / 1000.0;
        return seconds <= 0 ? null : Math.max(0, now.changesEnd() - before.changesEnd()) / seconds;
    }

    private Reading read() {
        Instant at = Instant.now();
        List<Component> components = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Long changesEnd = null;
        Long deadLetters = null;
        Map<String, TopicDescription> described = null;
        try {
            int brokers = admin.describeCluster().nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            components.add(new Component("kafka", config.kafkaBootstrap(), true, brokers + " broker" + (brokers == 1 ? "" : "s")));
            Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(false)).names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            described = admin.describeTopics(names).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            components.add(new Component("kafka", config.kafkaBootstrap(), false, reason(e)));
        }
        config.historyUrl().ifPresent(url -> components.add(health("history-sink", url)));
        config.healthUrls().ifPresent(pairs -> {
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    components.add(health(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()));
                }
            }
        });
        if (described != null) {
            List<TopicPartition> cdc = partitions(described, described.keySet().stream().filter(t -> cdcTopics.matcher(t).matches()).sorted().toList());
            List<TopicPartition> changes = partitions(described, List.of(topics.changes()));
            List<TopicPartition> dlq = partitions(described, List.of(topics.dlq()));
            List<TopicPartition> all = new ArrayList<>(cdc);
            all.addAll(changes);
            all.addAll(dlq);
            Map<String, List<TopicPartition>> subscriptionTopics = new LinkedHashMap<>();
            Collection<Subscription> subscriptions = rules.all().stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
            for (Subscription subscription : subscriptions) {
                List<TopicPartition> ps = partitions(described, List.of(topics.subscription(subscription.id())));
                subscriptionTopics.put(subscription.id(), ps);
                all.addAll(ps);
            }
            try {
                Map<TopicPartition, Long> ends = offsets(all, OffsetSpec.latest());
                Map<TopicPartition, Long> starts = offsets(all, OffsetSpec.earliest());
                changesEnd = changes.isEmpty() ? null : changes.stream().mapToLong(p -> ends.getOrDefault(p, 0L)).sum();
                deadLetters = dlq.isEmpty() ? 0L : dlq.stream().mapToLong(p -> ends.getOrDefault(p, 0L) - starts.getOrDefault(p, 0L)).sum();
                stages.add(stage("streams-app", config.streamsApplicationId(), cdc, ends, starts));
                stages.add(stage("history-sink", config.historyGroupId(), changes, ends, starts));
                for (Subscription subscription : subscriptions) {
                    List<TopicPartition> ps = subscriptionTopics.get(subscription.id());
                    if (subscription.delivery().webhook() != null) {
                        stages.add(stage("webhook " + subscription.id(), config.deliveryGroup(), ps, ends, starts));
                    }
                    if (subscription.delivery().redis() != null) {
                        stages.add(stage("redis " + subscription.id(), config.redisGroup(), ps, ends, starts));
                    }
                }
            } catch (Exception e) {
                stages.add(new Stage("offsets", null, List.of(), null, false, reason(e)));
            }
        }
        return new Reading(at, components, stages, changesEnd, deadLetters, slot());
    }

    /** The slot from history-sink, which holds the source database connection (the gateway has none). */
    private Slot slot() {
        if (config.historyUrl().isEmpty()) {
            return Slot.unreadable("no history-sink URL is configured (DM_HISTORY_URL)");
        }
        String url = config.historyUrl().get().replaceAll("/+$", "") + "/api/history/source/slot";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(TIMEOUT_MS)).GET();
        config.historyToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            com.fasterxml.jackson.databind.JsonNode body = io.datamanager.model.Json.tree(response.body(), "history-sink's slot answer");
            if (response.statusCode() != 200) {
                return Slot.unreadable("history-sink answered " + response.statusCode() + ": "
                        + body.path("detail").asText(body.path("title").asText("")));
            }
            return new Slot(body.path("slot").asText(null), body.path("exists").asBoolean(), bool(body, "active"),
                    number(body, "retainedWalBytes"), number(body, "unconfirmedBytes"), body.path("walStatus").asText(null),
                    body.path("confirmedFlushLsn").asText(null), body.path("currentLsn").asText(null), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Slot.unreadable("interrupted");
        } catch (Exception e) {
            return Slot.unreadable(reason(e));
        }
    }

    private static Long number(com.fasterxml.jackson.databind.JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asLong() : null;
    }

    private static Boolean bool(com.fasterxml.jackson.databind.JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asBoolean() : null;
    }

    private Stage stage(String name, String group, List<TopicPartition> partitions, Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> starts) {
        List<String> topicNames = partitions.stream().map(TopicPartition::topic).distinct().toList();
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long lag = 0;
            boolean any = false;
            for (TopicPartition p : partitions) {
                OffsetAndMetadata offset = committed.get(p);
                long end = ends.getOrDefault(p, 0L);
                long from = offset == null ? starts.getOrDefault(p, 0L) : offset.offset();
                any |= offset != null;
                lag += Math.max(0, end - from);
            }
            return new Stage(name, group, topicNames, lag, any, null);
        } catch (Exception e) {
            return new Stage(name, group, topicNames, null, false, reason(e));
        }
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        if (!request.isEmpty()) {
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .forEach((p, info) -> out.put(p, info.offset()));
        }
        return out;
    }

    private static List<TopicPartition> partitions(Map<String, TopicDescription> described, List<String> names) {
        List<TopicPartition> out = new ArrayList<>();
        for (String name : names) {
            TopicDescription d = described.get(name);
            if (d != null) {
                d.partitions().forEach(p -> out.add(new TopicPartition(name, p.partition())));
            }
        }
        return out;
    }

    private Component health(String name, String base) {
        String url = base.replaceAll("/+$", "") + "/q/health/ready";
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(TIMEOUT_MS)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            boolean up = response.statusCode() == 200;
            return new Component(name, base, up, up ? "ready" : "not ready (HTTP " + response.statusCode() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Component(name, base, false, "interrupted");
        } catch (Exception e) {
            return new Component(name, base, false, reason(e));
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage();
        return cause instanceof java.util.concurrent.TimeoutException ? "no answer within " + TIMEOUT_MS + " ms"
                : cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
