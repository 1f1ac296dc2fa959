package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class ColumnTypesHeaderTest {
    private final ColumnTypesHeader<SourceRecord> smt = new ColumnTypesHeader<>();

    @Test
    void describesEveryColumnBySemanticNameOrConnectTypeWithThePostgresType() {
        Schema row = SchemaBuilder.struct()
                .field("id", SchemaBuilder.int32().parameter(ColumnTypesHeader.SOURCE_TYPE_PARAMETER, "INT4").build())
                .field("day", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
                .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
                .build();
        Schema envelope = SchemaBuilder.struct().field("before", SchemaBuilder.struct().optional().build())
                .field("after", row).field("op", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(envelope).put("after", new Struct(row).put("id", 1)).put("op", "c");
        SourceRecord out = smt.apply(new SourceRecord(Map.of(), Map.of(), "dm.cdc.public.t", envelope, value));

        assertThat(out.headers().lastWithName(ColumnTypesHeader.HEADER).value())
                .isEqualTo("{\"id\":\"int32|int4\",\"day\":\"io.debezium.time.Date\",\"tags\":\"array<string>\"}");
    }

    @Test
    void recordsWithoutRowImageKeepNoHeader() {
        Schema heartbeat = SchemaBuilder.struct().field("ts_ms", Schema.INT64_SCHEMA).build();
        SourceRecord out = smt.apply(new SourceRecord(Map.of(), Map.of(), "dm.heartbeat.dm.cdc", heartbeat,
                new Struct(heartbeat).put("ts_ms", 1L)));
        assertThat(out.headers().lastWithName(ColumnTypesHeader.HEADER)).isNull();
    }
}
