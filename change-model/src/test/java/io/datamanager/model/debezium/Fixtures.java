package io.datamanager.model.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Real Debezium output, captured from embedded PostgreSQL by the capture module's CaptureIT (run it with
 * {@code -Ddm.fixtures.write=<this module>/src/test/resources/debezium} to record them again).
 */
public final class Fixtures {
    private Fixtures() {}

    public record Raw(String topic, byte[] key, byte[] value, byte[] types) {
        public ChangeEvent parse() {
            return DebeziumEnvelopes.parse(key, value, types).orElseThrow();
        }

        public JsonNode envelope() {
            return Json.tree(value, "value");
        }
    }

    public static List<Raw> load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/debezium/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + " is missing");
            }
            List<Raw> out = new ArrayList<>();
            for (JsonNode node : Json.mapper().readTree(in)) {
                out.add(new Raw(node.get("topic").asText(), bytes(node.get("key")), bytes(node.get("value")),
                        node.hasNonNull("dm.types") ? node.get("dm.types").asText().getBytes(StandardCharsets.UTF_8) : null));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one record of a fixture whose envelope has the given Debezium op. */
    public static Raw one(String name, String op) {
        List<Raw> matching = load(name).stream().filter(r -> r.envelope().path("op").asText().equals(op)).toList();
        if (matching.size() != 1) {
            throw new IllegalStateException(name + " has " + matching.size() + " records with op " + op);
        }
        return matching.get(0);
    }

    private static byte[] bytes(JsonNode node) {
        return node == null || node.isNull() ? null : node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
