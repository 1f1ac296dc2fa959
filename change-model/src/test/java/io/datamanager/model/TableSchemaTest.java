package io.datamanager.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSchemaTest {
    private static final List<TableSchema.Column> COLUMNS = List.of(new TableSchema.Column("id", "bigint", true, false),
            new TableSchema.Column("name", "text", false, true));

    @Test
    void travelsAsJsonWithLowerCaseOriginAndBackUnchanged() {
        TableSchema schema = new TableSchema("public.cc_items", TableSchema.ColumnsFrom.CATALOG, COLUMNS, true, "dm_publication", 0, null);
        String json = Json.toString(schema);
        assertThat(json).contains("\"columnsFrom\":\"catalog\"").contains("\"primaryKey\":true").doesNotContain("lastChange")
                .doesNotContain("columnNames");
        assertThat(Json.read(json.getBytes(StandardCharsets.UTF_8), TableSchema.class)).isEqualTo(schema);
        assertThat(schema.columnNames()).containsExactly("id", "name");
    }

    @Test
    void aTableLeftOutOfThePublicationSaysWhyAndHowToAddIt() {
        TableSchema left = new TableSchema("public.hidden", TableSchema.ColumnsFrom.CATALOG, COLUMNS, false, "dm_publication", 0, null);
        assertThat(left.whyNotCaptured()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("not in the publication 'dm_publication'").contains("ALTER PUBLICATION dm_publication ADD TABLE public.hidden"));
        assertThat(new TableSchema("public.t", TableSchema.ColumnsFrom.HISTORY, COLUMNS, null, null, 3, null).whyNotCaptured()).isEmpty();
        assertThat(new TableSchema("public.t", TableSchema.ColumnsFrom.CATALOG, COLUMNS, true, "p", 0, null).whyNotCaptured()).isEmpty();
    }

    @Test
    void anUnknownOriginIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Json.read("{\"table\":\"public.t\",\"columnsFrom\":\"guess\"}".getBytes(StandardCharsets.UTF_8),
                TableSchema.class)).isInstanceOf(ValidationException.class).hasMessageContaining("columnsFrom");
    }
}
