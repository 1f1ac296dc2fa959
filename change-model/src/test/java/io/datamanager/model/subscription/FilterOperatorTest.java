package io.datamanager.model.subscription;

import static io.datamanager.model.subscription.Events.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator against the value of column {@code c}, on the after image of an insert and on the before
 * image of an update whose after image lacks the column. Values are single-quoted JSON; {@code absent}
 * leaves the column out of the row.
 */
class FilterOperatorTest {
    private static final String CASES = """
            eq       | 'paid'                | 'paid'                          | true
            eq       | 'paid'                | 'new'                           | false
            eq       | 12.5                  | '12.50'                         | true
            eq       | '12.50'               | 12.5                            | true
            eq       | '12.5'                | '12.50'                         | false
            eq       | 42                    | 42.0                            | true
            eq       | 42                    | 43                              | false
            eq       | 5                     | 'five'                          | false
            eq       | true                  | true                            | true
            eq       | 'true'                | true                            | true
            eq       | false                 | true                            | false
            eq       | 'paid'                | {'status': 'paid'}              | false
            eq       | 'paid'                | null                            | false
            eq       | 'paid'                | absent                          | false
            neq      | 'paid'                | 'new'                           | true
            neq      | 'paid'                | 'paid'                          | false
            neq      | 12.5                  | '12.50'                         | false
            neq      | 12.5                  | '12.51'                         | true
            neq      | 'paid'                | {'status': 'paid'}              | true
            neq      | 'paid'                | null                            | false
            neq      | 'paid'                | absent                          | false
            lt       | 10                    | '9.99'                          | true
            lt       | 10                    | '10.00'                         | false
            lt       | '10'                  | '9.5'                           | true
            lt       | 'banana'              | 'apple'                         | true
            lt       | 'apple'               | 'banana'                        | false
            lt       | '2026-11-24T00:00:00Z'| '2026-11-23T10:15:30.123456Z'   | true
            lt       | 10                    | [1]                             | false
            lt       | 10                    | null                            | false
            lt       | 10                    | absent                          | false
            lte      | 10                    | '10.00'                         | true
            lte      | 10                    | '10.01'                         | false
            lte      | '2026-11-23'          | '2026-11-23'                    | true
            lte      | 10                    | null                            | false
            gt       | 100                   | 99                              | false
            gt       | 100                   | '100.5'                         | true
            gt       | 100                   | '99.5'                          | false
            gt       | '2026-01-01'          | '2026-11-23T10:15:30Z'          | true
            gt       | 0                     | null                            | false
            gt       | 0                     | absent                          | false
            gte      | 100                   | '100.00'                        | true
            gte      | 100                   | 99                              | false
            gte      | 'b'                   | 'b'                             | true
            gte      | 'b'                   | 'a'                             | false
            gte      | 0                     | null                            | false
            in       | ['paid', 'shipped']   | 'shipped'                       | true
            in       | ['paid', 'shipped']   | 'new'                           | false
            in       | [1, 2]                | '2.00'                          | true
            in       | ['1', '2']            | '2.00'                          | false
            in       | ['paid']              | null                            | false
            in       | ['paid']              | absent                          | false
            not_in   | ['paid', 'shipped']   | 'new'                           | true
            not_in   | ['paid', 'shipped']   | 'paid'                          | false
            not_in   | [1, 2]                | '1.0'                           | false
            not_in   | ['paid']              | null                            | false
            not_in   | ['paid']              | absent                          | false
            is_null  |                       | null                            | true
            is_null  |                       | absent                          | true
            is_null  |                       | ''                              | false
            is_null  |                       | 'x'                             | false
            not_null |                       | null                            | false
            not_null |                       | absent                          | false
            not_null |                       | 0                               | true
            not_null |                       | 'x'                             | true
            """;

    static Stream<Arguments> cases() {
        return CASES.lines().flatMap(line -> {
            String[] cell = Arrays.stream(line.split("\\|")).map(String::strip).toArray(String[]::new);
            boolean expected = Boolean.parseBoolean(cell[3]);
            return Stream.of(Arguments.of("after", cell[0], cell[1], cell[2], expected),
                    Arguments.of("before", cell[0], cell[1], cell[2], expected));
        });
    }

    @ParameterizedTest(name = "{2} {1} {3} on {0} image: {4}")
    @MethodSource("cases")
    void operatorComparesTheColumnValue(String image, String op, String value, String column, boolean expected) {
        String filter = "{'column': 'c', 'op': '" + op + "', 'image': '" + image + "'"
                + (value.isEmpty() ? "" : ", 'value': " + value) + "}";
        SubscriptionMatcher matcher = new SubscriptionMatcher(
                subscription("{'id': 's', 'table': 'public.orders', 'filters': [" + filter + "]}"));

        assertThat(matcher.matches(eventWith(image, column))).isEqualTo(expected);
    }

    private static ChangeEvent eventWith(String image, String column) {
        ObjectNode row = Events.json("{'id': 1}");
        if (!column.equals("absent")) {
            row.set("c", Events.json("{'c': " + column + "}").get("c"));
        }
        if (image.equals("after")) {
            return Events.event(Events.TABLE, Op.INSERT, null, row, List.of());
        }
        return Events.event(Events.TABLE, Op.UPDATE, row, Events.json("{'id': 1}"), List.of("c"));
    }
}
