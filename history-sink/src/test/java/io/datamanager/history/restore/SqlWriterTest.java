package io.datamanager.history.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlWriterTest {
    private static final Map<String, String> TYPES = Map.of("id", "integer", "name", "text", "total", "numeric(10,2)",
            "tags", "text[]", "doc", "jsonb", "raw", "bytea");

    @Test
    void deletedRowIsInsertedWithEveryColumnAsATypedParameter() {
        ObjectNode to = row("{\"id\":2,\"name\":\"Bob\",\"total\":\"12.50\",\"tags\":[\"a\",\"b c\"],\"doc\":{\"x\":1},\"raw\":\"3q2+7w==\"}");
        RestorePlan.Statement s = SqlWriter.write(new RowRestore("public.t", row("{\"id\":2}"), null, to, null, List.of()), TYPES);
        assertThat(s.sql()).isEqualTo("INSERT INTO \"public\".\"t\" (\"id\", \"name\", \"total\", \"tags\", \"doc\", \"raw\") VALUES "
                + "(CAST(? AS integer), CAST(? AS text), CAST(? AS numeric(10,2)), CAST(? AS text[]), CAST(? AS jsonb), decode(?, 'base64'))");
        assertThat(s.params()).containsExactly("2", "Bob", "12.50", "{\"a\",\"b c\"}", "{\"x\":1}", "3q2+7w==");
    }

    @Test
    void updateSetsOnlyTheDifferingColumns() {
        RestorePlan.Statement s = SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"),
                row("{\"id\":1,\"name\":\"wrong\",\"total\":\"1.00\"}"), row("{\"id\":1,\"name\":\"Ada\",\"total\":\"1.00\"}"), null, List.of()), TYPES);
        assertThat(s.sql()).isEqualTo("UPDATE \"public\".\"t\" SET \"name\" = CAST(? AS text) WHERE \"id\" = CAST(? AS integer)");
        assertThat(s.params()).containsExactly("Ada", "1");
        assertThat(SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), row("{\"id\":1}"), row("{\"id\":1}"), null, List.of()), TYPES))
                .as("nothing to do").isNull();
    }

    @Test
    void aJsonNullIsWrittenAsJsonNullAndSqlNullAsNullInJsonAndJsonb() {
        Map<String, String> types = Map.of("id", "integer", "doc", "jsonb", "j", "json", "other", "jsonb");
        ObjectNode to = JsonNullValue.marked(row("{\"id\":1,\"doc\":null,\"j\":null,\"other\":null}"), List.of("doc", "j"));
        RestorePlan.Statement insert = SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), null, to, null, List.of()), types);
        assertThat(insert.params()).containsExactly("1", "null", "null", null);
        assertThat(insert.pasteable()).isEqualTo("INSERT INTO \"public\".\"t\" (\"id\", \"doc\", \"j\", \"other\") VALUES "
                + "(CAST('1' AS integer), CAST('null' AS jsonb), CAST('null' AS json), CAST(NULL AS jsonb))");

        ObjectNode sqlNulls = row("{\"id\":1,\"doc\":null,\"j\":null,\"other\":null}");
        RestorePlan.Statement update = SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), sqlNulls, to, null, List.of()), types);
        assertThat(update.pasteable()).as("SQL NULL and JSON null differ: both columns are set")
                .isEqualTo("UPDATE \"public\".\"t\" SET \"doc\" = CAST('null' AS jsonb), \"j\" = CAST('null' AS json) WHERE \"id\" = CAST('1' AS integer)");
        RestorePlan.Statement back = SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), to, sqlNulls, null, List.of()), types);
        assertThat(back.params()).containsExactly(null, null, "1");
        assertThat(SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), to, JsonNullValue.marked(sqlNulls, List.of("doc", "j")),
                null, List.of()), types)).as("already as restored").isNull();
        assertThat(Json.mapper().valueToTree(to).toString()).as("an answer shows it as null")
                .isEqualTo("{\"id\":1,\"doc\":null,\"j\":null,\"other\":null}");
    }

    @Test
    void identifiersAreQuotedAndStrangeTypesRefused() {
        RestorePlan.Statement s = SqlWriter.write(new RowRestore("we\"ird.t; drop", row("{\"id\":1}"), row("{\"id\":1}"), null, null, List.of()), TYPES);
        assertThat(s.sql()).isEqualTo("DELETE FROM \"we\"\"ird\".\"t; drop\" WHERE \"id\" = CAST(? AS integer)");
        assertThatThrownBy(() -> SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), row("{\"id\":1}"), null, null, List.of()),
                Map.of("id", "int); drop table x; --"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void arrayLiteralQuotesAndEscapes() {
        assertThat(SqlValues.arrayLiteral(Json.tree("[1,null,\"a\\\"b\",[2]]".getBytes(), "t"))).isEqualTo("{\"1\",NULL,\"a\\\"b\",{\"2\"}}");
    }

    private static ObjectNode row(String json) {
        return (ObjectNode) Json.tree(json.getBytes(), "row");
    }

    @Test
    void anIdentityGeneratedAlwaysIsInsertedOverridingAndADroppedColumnIsLeftOut() {
        SourceSchema.Shape shape = new SourceSchema.Shape(Map.of("id", "bigint", "name", "text", "total", "numeric(10,2)"),
                java.util.Set.of("id"), java.util.Set.of("total"));
        RowRestore row = new RowRestore("public.t", row("{\"id\":2}"), null, row("{\"id\":2,\"name\":\"Bob\",\"gone\":1,\"total\":\"3.00\"}"),
                null, List.of());
        RestorePlan.Statement s = SqlWriter.write(row, shape, null);
        assertThat(s.sql()).isEqualTo("INSERT INTO \"public\".\"t\" (\"id\", \"name\") OVERRIDING SYSTEM VALUE "
                + "VALUES (CAST(? AS bigint), CAST(? AS text))");
        assertThat(SqlWriter.dropped(row, shape)).containsExactly("gone");
    }

    @Test
    void jsonbValuesAreSentAsJsonTextAStringQuotedANumberAsWritten() {
        ObjectNode to = (ObjectNode) io.datamanager.model.ExactJson.tree("{\"id\":1,\"doc\":\"hello\",\"n\":{\"p\":2.50}}", "row");
        RestorePlan.Statement s = SqlWriter.write(new RowRestore("public.t", row("{\"id\":1}"), null, to, null, List.of()),
                Map.of("id", "integer", "doc", "jsonb", "n", "jsonb"));
        assertThat(s.params()).containsExactly("1", "\"hello\"", "{\"p\":2.50}");
        assertThat(s.pasteable()).isEqualTo("INSERT INTO \"public\".\"t\" (\"id\", \"doc\", \"n\") VALUES "
                + "(CAST('1' AS integer), CAST('\"hello\"' AS jsonb), CAST('{\"p\":2.50}' AS jsonb))");
    }

    @Test
    void aNullValueIsANullParameterAndNullInThePasteableForm() {
        RestorePlan.Statement s = SqlWriter.write(new RowRestore("public.t", row("{\"id\":2}"), null, row("{\"id\":2,\"name\":null}"),
                null, List.of()), TYPES);
        assertThat(s.params()).containsExactly("2", null);
        assertThat(s.pasteable()).endsWith("VALUES (CAST('2' AS integer), CAST(NULL AS text))");
    }

    @Test
    void pasteableSqlQuotesLiteralsAndLeavesQuestionMarksInNamesAlone() {
        assertThat(SqlLiterals.inline("UPDATE \"t?\" SET \"a\" = CAST(? AS text), \"b\" = ? WHERE \"id\" = decode(?, 'base64')",
                java.util.Arrays.asList("O'Brien", null, "a\\b")))
                .isEqualTo("UPDATE \"t?\" SET \"a\" = CAST('O''Brien' AS text), \"b\" = NULL WHERE \"id\" = decode(E'a\\\\b', 'base64')");
    }
}
