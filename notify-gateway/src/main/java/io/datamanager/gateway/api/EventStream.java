package io.datamanager.gateway.api;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.Input;
import io.datamanager.model.TopicNames;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * {@code GET /api/subscriptions/{id}/events}: the subscription's changes as Server-Sent Events, live from
 * {@code dm.sub.<id>}. Each event's id is the stream position after it ({@code 0:15,1:7,2:3}: partition and
 * next offset), so a client that reconnects with {@code Last-Event-ID} resumes exactly where it stopped.
 * Each client reads with a consumer of its own; a comment every 15 s finds closed connections.
 */
@Path("/api/subscriptions/{id}/events")
public class EventStream {
    private static final Logger LOG = Logger.getLogger(EventStream.class);
    private final RuleLog rules;
    private final GatewayConfig config;
    private final TopicNames topics;

    EventStream(RuleLog rules, GatewayConfig config) {
        this.rules = rules;
        this.config = config;
        this.topics = new TopicNames(config.topicPrefix());
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@PathParam("id") @Parameter(schema = @Schema(pattern = SubscriptionResource.ID_PATTERN)) String id,
            @HeaderParam("Last-Event-ID") @Parameter(schema = @Schema(pattern = "[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*")) String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        SubscriptionResource.checkId(id);
        rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        Map<Integer, Long> resume = positions(lastEventId);
        Thread.ofVirtual().name("sse-" + id).start(() -> pump(id, resume, sink, sse));
    }

    private void pump(String id, Map<Integer, Long> resume, SseEventSink sink, Sse sse) {
        Properties props = new Properties();
        props.put("bootstrap.servers", config.kafkaBootstrap());
        props.put("group.id", "dm-sse-" + UUID.randomUUID());
        props.put("enable.auto.commit", "false");
        props.put("isolation.level", "read_committed");
        String topic = topics.subscription(id);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<Integer, Long> position = new TreeMap<>();
            for (TopicPartition p : partitions) {
                if (resume.containsKey(p.partition())) {
                    consumer.seek(p, resume.get(p.partition()));
                } else if (resume.isEmpty()) {
                    consumer.seekToEnd(List.of(p)); // a new client sees what happens from now on
                } else {
                    consumer.seekToBeginning(List.of(p));
                }
                position.put(p.partition(), consumer.position(p));
            }
            long lastSent = System.nanoTime();
            while (!sink.isClosed()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    position.put(record.partition(), record.offset() + 1);
                    sink.send(sse.newEventBuilder().id(eventId(position)).name("change").mediaType(MediaType.APPLICATION_JSON_TYPE)
                            .data(new String(record.value(), StandardCharsets.UTF_8)).build());
                    lastSent = System.nanoTime();
                }
                if (System.nanoTime() - lastSent > Duration.ofSeconds(15).toNanos()) {
                    sink.send(sse.newEventBuilder().comment("keep-alive").build());
                    lastSent = System.nanoTime();
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf(e, "event stream of %s ended", id);
        } finally {
            if (!sink.isClosed()) {
                sink.close();
            }
        }
    }

    static String eventId(Map<Integer, Long> position) {
        StringBuilder sb = new StringBuilder();
        position.forEach((p, o) -> sb.append(sb.isEmpty() ? "" : ",").append(p).append(':').append(o));
        return sb.toString();
    }

    /** Reads {@code 0:15,1:7}; anything else is refused naming the header. */
    static Map<Integer, Long> positions(String lastEventId) {
        Map<Integer, Long> out = new HashMap<>();
        if (lastEventId == null || lastEventId.isBlank()) {
            return out;
        }
        try {
            for (String part : lastEventId.split(",", -1)) {
                String[] po = part.trim().split(":", -1);
                if (po.length != 2 || out.put((int) Input.number("Last-Event-ID", po[0], 0, Integer.MAX_VALUE),
                        Input.number("Last-Event-ID", po[1], 0, Long.MAX_VALUE)) != null) {
                    throw new IllegalArgumentException("partition:offset, each partition once");
                }
            }
        } catch (RuntimeException e) {
            throw new ValidationException("Last-Event-ID", "is not an event id of this stream: '" + lastEventId + "'");
        }
        return out;
    }
}
