package io.datamanager.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Kafka Connect transform that writes the column types of a Debezium change record into the header
 * {@code dm.types}, as a JSON object {@code {"column": "descriptor"}}. The topic keeps schemaless envelopes
 * (small records), while consumers still learn that an integer is a date or a string is jsonb. A descriptor
 * is the Debezium semantic type name where there is one ({@code io.debezium.time.MicroTimestamp},
 * {@code io.debezium.data.Json}), else the Connect type ({@code int32}, {@code string}); arrays are
 * {@code array<element>}; when Debezium propagates source types, {@code |<postgres type>} follows
 * ({@code string|numeric}, {@code io.debezium.data.Json|jsonb}, {@code array<int32>|_int4}). Records without a row image (heartbeats, truncates) pass unchanged.
 *
 * <p>Used by the embedded capture engine, Debezium Server ({@code debezium.transforms}) and Kafka Connect
 * ({@code transforms}) alike; for the latter two the connector-config jar goes on their plugin path.
 */
public class ColumnTypesHeader<R extends ConnectRecord<R>> implements Transformation<R> {
    /** Must equal {@code io.datamanager.model.debezium.ColumnTypes.HEADER}. */
    public static final String HEADER = "dm.types";
    /** Set by Debezium when {@code datatype.propagate.source.type} covers the column. */
    static final String SOURCE_TYPE_PARAMETER = "__debezium.source.column.type";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CACHE_LIMIT = 10_000;

    private final Map<Schema, String> cache = new ConcurrentHashMap<>();

    @Override
    public R apply(R record) {
        Schema rowSchema = rowSchema(record.valueSchema());
        if (rowSchema == null) {
            return record;
        }
        String descriptors = cache.get(rowSchema);
        if (descriptors == null) {
            descriptors = describe(rowSchema);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(rowSchema, descriptors);
        }
        record.headers().addString(HEADER, descriptors);
        return record;
    }

    private static Schema rowSchema(Schema envelope) {
        if (envelope == null || envelope.type() != Schema.Type.STRUCT) {
            return null;
        }
        Field after = envelope.field("after");
        Field before = envelope.field("before");
        Field row = after != null ? after : before;
        return row != null && row.schema().type() == Schema.Type.STRUCT ? row.schema() : null;
    }

    static String describe(Schema row) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Field field : row.fields()) {
            String sourceType = field.schema().parameters() == null ? null
                    : field.schema().parameters().get(SOURCE_TYPE_PARAMETER);
            String descriptor = descriptor(field.schema());
            out.put(field.name(), sourceType == null ? descriptor : descriptor + "|" + sourceType.toLowerCase(Locale.ROOT));
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot describe " + row, e);
        }
    }

    static String descriptor(Schema schema) {
        if (schema.name() != null) {
            return schema.name();
        }
        if (schema.type() == Schema.Type.ARRAY) {
            return "array<" + descriptor(schema.valueSchema()) + ">";
        }
        return schema.type().getName().toLowerCase(Locale.ROOT);
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }

    @Override
    public void close() {
        cache.clear();
    }
}
