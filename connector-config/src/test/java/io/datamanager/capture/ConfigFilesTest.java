package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    /** Settings that Kafka Connect takes from its worker configuration, not from the connector. */
    private static final Set<String> WORKER_LEVEL = Set.of("offset.storage", "offset.storage.topic",
            "offset.storage.partitions", "offset.storage.replication.factor", "offset.flush.interval.ms", "bootstrap.servers");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Z0-9_]+):([^}]*)}");

    @Test
    void defaultsCaptureWithPgoutputIntoDmCdcWithStringDecimalsHeartbeatsAndInitialSnapshot() {
        Properties c = ServerConfig.load(name -> null).connector();
        assertThat(c.getProperty("plugin.name")).isEqualTo("pgoutput");
        assertThat(c.getProperty("topic.prefix")).isEqualTo("dm.cdc");
        assertThat(c.getProperty("slot.name")).isEqualTo("dm_slot");
        assertThat(c.getProperty("publication.name")).isEqualTo("dm_publication");
        assertThat(c.getProperty("decimal.handling.mode")).isEqualTo("string");
        assertThat(c.getProperty("snapshot.mode")).isEqualTo("initial");
        assertThat(Integer.parseInt(c.getProperty("heartbeat.interval.ms"))).isPositive();
        assertThat(c.getProperty("transforms.dmtypes.type")).isEqualTo(ColumnTypesHeader.class.getName());
        assertThat(ServerConfig.load(name -> null).producer().getProperty("acks")).isEqualTo("all");
    }

    @Test
    void captureProgressReachesKafkaPromptlyEvenOnAnIdleDatabase() {
        Properties c = ServerConfig.load(name -> null).connector();
        assertThat(c.getProperty("heartbeat.action.query")).as("every heartbeat writes WAL")
                .contains("pg_logical_emit_message(false, 'dm.heartbeat'");
        assertThat(c.getProperty("message.prefix.exclude.list")).as("the heartbeat message is not published").isEqualTo("dm.heartbeat");
        assertThat(c.getProperty("offset.flush.interval.ms")).as("offsets after every batch").isEqualTo("0");
        assertThat(ServerConfig.load(Map.of("DM_HEARTBEAT_ACTION_QUERY", "")).connector().getProperty("heartbeat.action.query"))
                .as("switched off on a read-only source").isEmpty();
    }

    @Test
    void everyEnvironmentSpecificValueIsOverriddenByAnEnvironmentVariable() {
        Map<String, String> env = new HashMap<>(Map.of("DM_PG_HOST", "db.internal", "DM_PG_PORT", "6543",
                "DM_PG_PASSWORD", "s3cret", "DM_KAFKA_BOOTSTRAP", "kafka:9092", "DM_SLOT_NAME", "other_slot"));
        env.put("DEBEZIUM_SOURCE_TABLE_INCLUDE_LIST", "public.orders");
        env.put("DEBEZIUM_SOURCE_SNAPSHOT_MODE", "no_data");
        ServerConfig config = ServerConfig.load(env);
        Properties c = config.connector();
        assertThat(c.getProperty("database.hostname")).isEqualTo("db.internal");
        assertThat(c.getProperty("database.port")).isEqualTo("6543");
        assertThat(c.getProperty("database.password")).isEqualTo("s3cret");
        assertThat(c.getProperty("slot.name")).isEqualTo("other_slot");
        assertThat(c.getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
        assertThat(c.getProperty("snapshot.mode")).as("key named by its env form").isEqualTo("no_data");
        assertThat(c.getProperty("table.include.list")).as("key the file lacks").isEqualTo("public.orders");
        assertThat(config.producer().getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
        for (String key : new String[] {"database.hostname", "database.port", "database.user", "database.password",
                "database.dbname", "bootstrap.servers"}) {
            assertThat(raw().getProperty(key.equals("bootstrap.servers") ? "debezium.source." + key : "debezium.source." + key))
                    .as(key + " comes from the environment").matches(".*\\$\\{DM_[A-Z_]+:.*}.*");
        }
    }

    @Test
    void expressionWithoutValueOrDefaultFailsNamingTheKey() {
        assertThatThrownBy(() -> ServerConfig.resolve("debezium.x", "${DM_NOPE}", name -> null))
                .hasMessageContaining("debezium.x").hasMessageContaining("DM_NOPE");
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
            String meaning = m.replaceAll(r -> r.group(1).startsWith("DM_PG_")
                    ? Matcher.quoteReplacement("${env:" + r.group(1) + "}") : Matcher.quoteReplacement(r.group(2)));
            assertThat(connect.get(key).asText()).as(key).isEqualTo(meaning);
        });
        assertThat(connect.get("value.converter.schemas.enable").asText()).isEqualTo("false");
        assertThat(connect.get("key.converter.schemas.enable").asText()).isEqualTo("false");
        connect.fieldNames().forEachRemaining(key -> assertThat(expected.containsKey(key)
                || key.contains("converter") || key.equals("tasks.max")).as("unexpected connect key " + key).isTrue());
    }

    private static Properties raw() {
        Properties p = new Properties();
        try (InputStream in = ConfigFilesTest.class.getResourceAsStream(ServerConfig.CLASSPATH_LOCATION)) {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return p;
    }
}
