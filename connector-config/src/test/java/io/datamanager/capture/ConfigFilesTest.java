package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped configuration files say what the contract needs, and say the same thing. */
class ConfigFilesTest {
    /**
     * Settings that Kafka Connect takes from its worker configuration, not from the connector, and Debezium Server's
     * engine settings (Kafka Connect runs a task's transforms in order by itself).
     */
    private static final Set<String> WORKER_LEVEL = Set.of("offset.storage", "offset.storage.topic",
            "offset.storage.partitions", "offset.storage.replication.factor", "offset.flush.interval.ms", "bootstrap.servers",
            "record.processing.threads");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Z0-9_]+):([^}]*)}");

    @Test
    void defaultsCaptureWithPgoutputIntoDmCdcWithStringDecimalsHeartbeatsAndInitialSnapshot() {
        Map<String, String> c = connector(defaults());
        assertThat(c.get("plugin.name")).isEqualTo("pgoutput");
        assertThat(c.get("topic.prefix")).isEqualTo("dm.cdc");
        assertThat(c.get("slot.name")).isEqualTo("dm_slot");
        assertThat(c.get("publication.name")).isEqualTo("dm_publication");
        assertThat(c.get("decimal.handling.mode")).isEqualTo("string");
        assertThat(c.get("snapshot.mode")).isEqualTo("initial");
        assertThat(Integer.parseInt(c.get("heartbeat.interval.ms"))).isPositive();
        assertThat(defaults().get("debezium.transforms.dmtypes.type")).isEqualTo(ColumnTypesHeader.class.getName());
        assertThat(defaults().get("debezium.transforms")).isEqualTo("dmtypes,dmcontext");
        assertThat(defaults().get("debezium.transforms.dmcontext.type")).isEqualTo(TransactionContextHeader.class.getName());
        assertThat(defaults().get("debezium.transforms.dmcontext.message.topic")).isEqualTo("dm.cdc.message");
        assertThat(c.get("record.processing.threads")).as("the context transform sees records in WAL order").isEqualTo("1");
        assertThat(defaults().get("debezium.sink.kafka.producer.acks")).isEqualTo("all");
        assertThat(defaults().get("debezium.sink.kafka.producer.enable.idempotence")).isEqualTo("true");
    }

    @Test
    void captureProgressReachesKafkaPromptlyEvenOnAnIdleDatabase() {
        Map<String, String> c = connector(defaults());
        assertThat(c.get("heartbeat.action.query")).as("every heartbeat writes WAL")
                .contains("pg_logical_emit_message(false, 'dm.heartbeat'");
        assertThat(c.get("message.prefix.include.list")).as("only dm.context messages are published, heartbeats' not")
                .isEqualTo("dm.context");
        assertThat(c).as("Debezium refuses an include list with an exclude list").doesNotContainKey("message.prefix.exclude.list");
        assertThat(c.get("offset.flush.interval.ms")).as("offsets after every batch").isEqualTo("0");
        assertThat(raw().getProperty("debezium.source.heartbeat.action.query")).as("switched off on a read-only source by an empty DM_HEARTBEAT_ACTION_QUERY")
                .startsWith("${DM_HEARTBEAT_ACTION_QUERY:");
    }

    @Test
    void everyEnvironmentSpecificValueComesFromADmVariable() {
        for (String key : new String[] {"database.hostname", "database.port", "database.user", "database.password",
                "database.dbname", "bootstrap.servers", "slot.name", "topic.prefix"}) {
            assertThat(raw().getProperty("debezium.source." + key)).as(key + " comes from the environment")
                    .matches(".*\\$\\{DM_[A-Z_]+:.*}.*");
        }
        assertThat(raw().getProperty("debezium.sink.kafka.producer.bootstrap.servers")).isEqualTo(raw().getProperty("debezium.source.bootstrap.servers"));
        assertThat(raw().getProperty("quarkus.http.port")).as("Debezium Server's own port").startsWith("${DM_CAPTURE_HTTP_PORT:");
    }

    @Test
    void kafkaConnectConfigurationSaysWhatTheDebeziumServerOneSays() throws Exception {
        JsonNode connect;
        try (InputStream in = getClass().getResourceAsStream("/connect/postgres-source.json")) {
            connect = new ObjectMapper().readTree(in).get("config");
        }
        Properties raw = raw();
        Map<String, String> expected = new HashMap<>();
        raw.stringPropertyNames().forEach(key -> {
            String connectorKey = key.startsWith("debezium.source.") ? key.substring("debezium.source.".length())
                    : key.startsWith("debezium.transforms") ? key.substring("debezium.".length()) : null;
            if (connectorKey != null && !WORKER_LEVEL.contains(connectorKey)) {
                expected.put(connectorKey, raw.getProperty(key));
            }
        });
        assertThat(expected).isNotEmpty();
        expected.forEach((key, value) -> {
            assertThat(connect.has(key)).as("connect config has " + key).isTrue();
            Matcher m = EXPRESSION.matcher(value);
            String meaning = m.replaceAll(r -> r.group(1).startsWith("DM_PG_") || r.group(1).equals("DM_KAFKA_BOOTSTRAP")
                    ? Matcher.quoteReplacement("${env:" + r.group(1) + "}") : Matcher.quoteReplacement(r.group(2)));
            assertThat(connect.get(key).asText()).as(key).isEqualTo(meaning);
        });
        assertThat(connect.get("value.converter.schemas.enable").asText()).isEqualTo("false");
        assertThat(connect.get("key.converter.schemas.enable").asText()).isEqualTo("false");
        connect.fieldNames().forEachRemaining(key -> assertThat(expected.containsKey(key)
                || key.contains("converter") || key.equals("tasks.max")).as("unexpected connect key " + key).isTrue());
    }

    /** The file's values with every {@code ${DM_X:default}} at its default, as Debezium Server reads it with no DM_ variable set. */
    private static Map<String, String> defaults() {
        Map<String, String> out = new HashMap<>();
        Properties raw = raw();
        raw.stringPropertyNames().forEach(key -> out.put(key, EXPRESSION.matcher(raw.getProperty(key))
                .replaceAll(m -> Matcher.quoteReplacement(m.group(2)))));
        return out;
    }

    /** The connector's properties: {@code debezium.source.*} without the prefix. */
    private static Map<String, String> connector(Map<String, String> properties) {
        Map<String, String> out = new HashMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("debezium.source.")) {
                out.put(key.substring("debezium.source.".length()), value);
            }
        });
        return out;
    }

    private static Properties raw() {
        Properties p = new Properties();
        try (InputStream in = ConfigFilesTest.class.getResourceAsStream("/debezium/application.properties")) {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return p;
    }
}
