package io.datamanager.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class FixturesIT {

    @Test
    void postgresIsReadyForLogicalReplicationInADatabaseOfItsOwn() throws Exception {
        TestPostgres pg = TestPostgres.shared();
        String db = pg.createDatabase(getClass());
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('wal_level'), current_database(), current_setting('server_version_num')::int")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
            assertThat(rs.getString(2)).isEqualTo(db).startsWith("fixturesit_");
            assertThat(rs.getInt(3)).isGreaterThanOrEqualTo(170000);
        }
        if (System.getenv("DM_TEST_PG_URL") == null) {
            assertThat(pg.port()).as("never the machine's own PostgreSQL").isNotEqualTo(5432);
        }
    }

    @Test
    void kafkaAcceptsAndServesRecords() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        String topic = "fixtures-it-" + System.nanoTime();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
        }
        var read = TopicReader.readUntil(bootstrap, topic, records -> records.size() >= 3, Duration.ofSeconds(60));
        assertThat(read).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactlyInAnyOrder("v0", "v1", "v2");
    }
}
