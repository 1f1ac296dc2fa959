package io.datamanager.history.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.history.config.HistoryConfig;
import io.datamanager.history.store.ContextStore;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.VersionStore;
import io.datamanager.model.ChangeEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/**
 * Ingests of a test's own, beside the service's: each like the service's ingest, on topics of the test's own prefix and
 * in a consumer group of its own, over the service's stores. A test stops what it started with {@link #stopAll()}.
 */
@Singleton
class Ingests {
    @Inject
    HistoryConfig config;
    @Inject
    VersionStore versions;
    @Inject
    ContextStore contexts;
    @Inject
    PolicyStore policies;
    @Inject
    MeterRegistry registry;
    @Inject
    DataSource dataSource;
    private final List<HistoryIngest> running = new ArrayList<>();

    /** An ingest reading {@code prefix}'s topics in group {@code group}; {@code batchSize} null keeps the service's. */
    HistoryIngest start(String prefix, String group, Integer batchSize) {
        HistoryConfig own = (HistoryConfig) Proxy.newProxyInstance(HistoryConfig.class.getClassLoader(), new Class<?>[] {HistoryConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "topicPrefix" -> prefix;
                    case "groupId" -> prefix + "-" + group;
                    case "ingestEnabled" -> true;
                    case "batchSize" -> batchSize != null ? batchSize : method.invoke(config, args);
                    default -> method.invoke(config, args);
                });
        HistoryIngest ingest = new HistoryIngest(own, versions, contexts, policies, registry);
        ingest.onStart(null);
        running.add(ingest);
        return ingest;
    }

    void stop(HistoryIngest ingest) throws InterruptedException {
        ingest.onStop(null);
        running.remove(ingest);
    }

    void stopAll() throws InterruptedException {
        for (HistoryIngest ingest : running) {
            ingest.onStop(null);
        }
        running.clear();
    }

    /** A topic prefix of the test's own, with its dm.changes ({@code partitions}), dm.context (3) and dm.dlq created. */
    static String topics(String prefix, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(prefix + ".changes", partitions, (short) 1), new NewTopic(prefix + ".context", 3, (short) 1),
                    new NewTopic(prefix + ".dlq", 1, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return prefix;
    }

    /** Waits until the group has committed each of {@code topics} (under the prefix, e.g. "changes") to its end. */
    static void awaitCommitted(String prefix, String group, String... topics) {
        try (Admin admin = admin()) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                for (String topic : topics) {
                    admin.describeTopics(List.of(prefix + "." + topic)).allTopicNames().get().get(prefix + "." + topic).partitions()
                            .forEach(p -> ends.put(new TopicPartition(prefix + "." + topic, p.partition()), OffsetSpec.latest()));
                }
                var latest = admin.listOffsets(ends).all().get();
                var committed = admin.listConsumerGroupOffsets(prefix + "-" + group).partitionsToOffsetAndMetadata().get();
                return latest.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset());
            });
        }
    }

    static Admin admin() {
        Properties props = new Properties();
        props.put("bootstrap.servers", ContextResource.bootstrap);
        return Admin.create(props);
    }

    /** Every event sent is one version of the table, none other, and the table's count says so. */
    void assertExactlyOnce(String table, List<ChangeEvent> sent) throws Exception {
        Map<String, Integer> stored = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT event_id FROM dm_version WHERE table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.merge(rs.getString(1), 1, Integer::sum);
                }
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        sent.forEach(e -> expected.put(e.id(), 1));
        assertThat(stored).as("versions by event id").isEqualTo(expected);
        assertThat(count("SELECT version_count FROM dm_table WHERE table_name = ?", table))
                .isEqualTo(sent.size());
    }

    /** A number the query gives for the table ({@code ?}), 0 when it gives no row. */
    long count(String sql, String table) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
