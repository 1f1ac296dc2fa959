package io.datamanager.examples.kafkarules;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * datamanager used from Kafka alone, with no HTTP: registers a subscription by producing its rule to
 * {@code dm.rules} (key = its id, value = its JSON), consumes its changes from {@code dm.sub.<id>} with
 * {@code isolation.level=read_committed}, and removes it with a tombstone. Configured by environment variables (the
 * local stack passes the first two): {@code DM_KAFKA} (bootstrap servers), {@code DM_SOURCE_JDBC_URL} (when set, the
 * example changes an order itself so a change arrives), {@code DM_EXAMPLE_COUNT} (stop after so many, default 3).
 */
public final class KafkaRulesDemo {
    static final String ID = "kafkarules";

    private KafkaRulesDemo() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        String bootstrap = env("DM_KAFKA", "127.0.0.1:9092");
        int count = Integer.parseInt(env("DM_EXAMPLE_COUNT", "3"));
        String rule = """
                {"id":"kafkarules","table":"public.orders","ops":["update"],"columns":["status","note"],"payload":"full"}""";

        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("dm.rules", ID, rule)).get();
            System.out.println("rule " + ID + " produced to dm.rules: " + rule);
            try {
                consume(bootstrap, count);
            } finally {
                producer.send(new ProducerRecord<>("dm.rules", ID, null)).get(); // a tombstone removes the subscription
                System.out.println("rule " + ID + " removed with a tombstone");
            }
        }
    }

    private static void consume(String bootstrap, int count) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "kafkarules-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // only changes of committed pipeline transactions
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("dm.sub." + ID));
            int received = 0;
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (received < count && Instant.now().isBefore(deadline)) {
                changeAnOrder();
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(2))) {
                    System.out.println("key     " + record.key());
                    for (Header header : record.headers()) {
                        System.out.println("header  " + header.key() + " = " + new String(header.value(), StandardCharsets.UTF_8));
                    }
                    System.out.println("value   " + record.value());
                    received++;
                }
            }
            if (received < count) {
                throw new IllegalStateException("only " + received + " of " + count + " changes arrived within two minutes");
            }
        }
    }

    /** An update of an order's note, so a change arrives even when nothing else changes the shop. */
    private static void changeAnOrder() throws Exception {
        String jdbc = System.getenv("DM_SOURCE_JDBC_URL");
        if (jdbc == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE orders SET note = 'kafkarules ' || now() WHERE id = (SELECT min(id) FROM orders)");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
