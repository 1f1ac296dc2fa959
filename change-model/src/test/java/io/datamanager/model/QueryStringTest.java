package io.datamanager.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class QueryStringTest {
    private static final List<String> NAMES = List.of("table", "limit");
    private static final List<String> PREFIXES = List.of("pk.");

    @Test
    void declaredParametersDecodeAsUtf8() {
        assertThat(QueryString.parse("table=public.%C3%A9t%C3%A9&pk.id=4+2&limit="))
                .containsExactly(new QueryString.Parameter("table", "public.été"), new QueryString.Parameter("pk.id", "4 2"),
                        new QueryString.Parameter("limit", ""));
        QueryString.check(QueryString.parse("table=x&pk.id=1&pk.line=2"), NAMES, PREFIXES);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tabel=public.orders|tabel",
        "txId=5|txId",
        "table=a&table=b|table",
        "pk.=1|pk.",
        "table=%00|table",
        "table=%FF|table",
        "table=%ED%A0%80|table",
        "table=%C0%AF|table",
        "table=%4|table",
        "ta%00ble=x|query",
        "=x|query",
    })
    void anythingElseIsRefusedNamingTheParameter(String query, String field) {
        assertThatThrownBy(() -> QueryString.check(QueryString.parse(query), NAMES, PREFIXES)).isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo(field);
    }

    @Test
    void anUnknownParameterIsNamedWithWhatTheRouteTakes() {
        assertThatThrownBy(() -> QueryString.check(QueryString.parse("tabel=x"), NAMES, PREFIXES))
                .hasMessage("tabel: is not a parameter of this route (it takes limit, pk.<column>, table)");
    }

    @Test
    void aPathWithMatrixParametersNulOrBrokenUtf8IsRefused() {
        QueryString.checkPath("/api/subscriptions/acc-1");
        for (String path : List.of("/api/subscriptions/acc-;ls", "/api/tables/public.%00", "/api/tables/%FF", "/api/tables/%G0")) {
            assertThatThrownBy(() -> QueryString.checkPath(path)).as(path).isInstanceOf(ValidationException.class).extracting("field")
                    .isEqualTo("path");
        }
    }
}
