package io.datamanager.streams.topology;

import static io.datamanager.streams.topology.Pipeline.row;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each filter operator, on the before and on the after image, decides routing through the whole topology. */
class FilterOperatorRoutingTest {
    private final Pipeline p = new Pipeline();

    @AfterEach
    void close() {
        p.close();
    }

    @ParameterizedTest(name = "{0} {1} {2}: before {3}, after {4}")
    @CsvSource(delimiter = '|', value = {
        "eq       | n | 5           | true  | false",
        "neq      | n | 5           | false | true",
        "lt       | n | 6           | true  | false",
        "lte      | n | 5           | true  | false",
        "gt       | n | 6           | false | true",
        "gte      | n | 7           | false | true",
        "in       | s | [\"a\",\"c\"] | true  | false",
        "not_in   | s | [\"a\"]     | false | true",
        "is_null  | z |             | true  | true",
        "not_null | n |             | true  | true",
        "is_null  | n |             | false | false",
    })
    void operatorOnEachImage(String op, String column, String value, boolean onBefore, boolean onAfter) {
        // the stored state gives the update its before image: n 5 -> 7, s a -> b, z stays null
        p.change("public.m", "r", row("id", 1), null, row("id", 1, "n", 5, "s", "a", "z", null));
        for (String image : new String[] {"before", "after"}) {
            String filter = "{\"column\":\"" + column + "\",\"op\":\"" + op + "\",\"image\":\"" + image + "\""
                    + (value == null ? "" : ",\"value\":" + value) + "}";
            p.rule(image, "{\"id\":\"" + image + "\",\"table\":\"public.m\",\"ops\":[\"update\"],\"filters\":[" + filter + "]}");
        }
        p.change("public.m", "u", row("id", 1), null, row("id", 1, "n", 7, "s", "b", "z", null));

        assertThat(p.subscription("before")).as("filter on the before image").hasSize(onBefore ? 1 : 0);
        assertThat(p.subscription("after")).as("filter on the after image").hasSize(onAfter ? 1 : 0);
    }
}
