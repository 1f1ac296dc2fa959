package io.datamanager.model.subscription;

import static io.datamanager.model.subscription.Events.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datamanager.model.Json;
import io.datamanager.model.ValidationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of the Subscription contract, each rejected with the JSON path of the offending field. */
class SubscriptionValidationTest {
    private static final String BASE = "'id': 's', 'table': 'public.orders'";

    static String with(String fields) {
        return "{" + BASE + ", " + fields + "}";
    }

    static String withFilters(String... filters) {
        return with("'filters': [" + String.join(", ", filters) + "]");
    }

    static String withWebhook(String webhook) {
        return with("'delivery': {'webhook': " + webhook + "}");
    }

    static String withRedis(String redis) {
        return with("'delivery': {'redis': " + redis + "}");
    }

    static Stream<Arguments> invalidSubscriptions() {
        String ok = "{'column': 'status', 'op': 'eq', 'value': 'paid'}";
        return Stream.of(
                Arguments.of("{'table': 'public.orders'}", "id"),
                Arguments.of("{'id': 'Paid', 'table': 'public.orders'}", "id"),
                Arguments.of("{'id': '-paid', 'table': 'public.orders'}", "id"),
                Arguments.of("{'id': 'paid orders', 'table': 'public.orders'}", "id"),
                Arguments.of("{'id': '" + "a".repeat(64) + "', 'table': 'public.orders'}", "id"),
                Arguments.of("{'id': 's'}", "table"),
                Arguments.of("{'id': 's', 'table': 'orders'}", "table"),
                Arguments.of("{'id': 's', 'table': 'public. orders'}", "table"),
                Arguments.of("{'id': 's', 'table': '.orders'}", "table"),
                Arguments.of(with("'ops': ['insert', 'upsert']"), "ops[1]"),
                Arguments.of(with("'ops': 'insert'"), "ops"),
                Arguments.of(with("'columns': ['status', ' ']"), "columns[1]"),
                Arguments.of(with("'columns': ['status', 'total', 'status']"), "columns[2]"),
                Arguments.of(with("'columns': [null]"), "columns[0]"),
                Arguments.of(with("'filters': [null]"), "filters[0]"),
                Arguments.of(withFilters("{'op': 'eq', 'value': 'paid'}"), "filters[0].column"),
                Arguments.of(withFilters("{'column': ' ', 'op': 'eq', 'value': 'paid'}"), "filters[0].column"),
                Arguments.of(withFilters("{'column': 'status', 'value': 'paid'}"), "filters[0].op"),
                Arguments.of(withFilters("{'column': 'context.', 'op': 'eq', 'value': 'billing-job'}"), "filters[0].column"),
                Arguments.of(withFilters("{'column': 'context.source', 'op': 'eq', 'value': 'billing-job', 'image': 'before'}"),
                        "filters[0].image"),
                Arguments.of(withFilters("{'column': 'context.source', 'op': 'eq', 'value': {'a': 1}}"), "filters[0].value"),
                Arguments.of(withFilters(ok, "{'column': 'status', 'op': 'like', 'value': 'p%'}"), "filters[1].op"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'eq', 'value': 'x', 'image': 'middle'}"),
                        "filters[0].image"),
                Arguments.of(withFilters(ok, "{'column': 'status', 'op': 'eq'}"), "filters[1].value"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'neq', 'value': null}"), "filters[0].value"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'eq', 'value': ['paid']}"), "filters[0].value"),
                Arguments.of(withFilters("{'column': 'total', 'op': 'gt', 'value': {'amount': 1}}"),
                        "filters[0].value"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'in', 'value': 'paid'}"), "filters[0].value"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'not_in'}"), "filters[0].value"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'in', 'value': []}"), "filters[0].value"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'in', 'value': ['a', ['b']]}"),
                        "filters[0].value[1]"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'not_in', 'value': ['a', null]}"),
                        "filters[0].value[1]"),
                Arguments.of(withFilters(ok, "{'column': 'note', 'op': 'is_null', 'value': 'x'}"), "filters[1].value"),
                Arguments.of(withFilters("{'column': 'note', 'op': 'not_null', 'value': false}"), "filters[0].value"),
                Arguments.of(with("'payload': 'everything'"), "payload"),
                Arguments.of(withWebhook("{'secret': 'whsec_AAAA'}"), "delivery.webhook.url"),
                Arguments.of(withWebhook("{'url': 'ftp://example.org/hook'}"), "delivery.webhook.url"),
                Arguments.of(withWebhook("{'url': '/hook'}"), "delivery.webhook.url"),
                Arguments.of(withWebhook("{'url': 'https:///hook'}"), "delivery.webhook.url"),
                Arguments.of(withWebhook("{'url': 'https://exa mple.org/hook'}"), "delivery.webhook.url"),
                Arguments.of(withWebhook("{'url': 'mailto:ops@example.org'}"), "delivery.webhook.url"),
                Arguments.of(withWebhook("{'url': 'https://example.org', 'secret': 'hunter2'}"),
                        "delivery.webhook.secret"),
                Arguments.of(withWebhook("{'url': 'https://example.org', 'secret': 'whsec_'}"),
                        "delivery.webhook.secret"),
                Arguments.of(withWebhook("{'url': 'https://example.org', 'secret': 'whsec_not base64!'}"),
                        "delivery.webhook.secret"),
                Arguments.of(withRedis("{'action': 'delete'}"), "delivery.redis.keys"),
                Arguments.of(withRedis("{'keys': []}"), "delivery.redis.keys"),
                Arguments.of(withRedis("{'keys': ['order:{id}', ' ']}"), "delivery.redis.keys[1]"),
                Arguments.of(withRedis("{'keys': ['order:{id']}"), "delivery.redis.keys[0]"),
                Arguments.of(withRedis("{'keys': ['order:id}']}"), "delivery.redis.keys[0]"),
                Arguments.of(withRedis("{'keys': ['order:{}']}"), "delivery.redis.keys[0]"),
                Arguments.of(withRedis("{'keys': ['order:{ }']}"), "delivery.redis.keys[0]"),
                Arguments.of(withRedis("{'keys': ['order:{a{b}}']}"), "delivery.redis.keys[0]"),
                Arguments.of(withRedis("{'keys': ['order:{id}'], 'action': 'flush'}"), "delivery.redis.action"));
    }

    @ParameterizedTest(name = "{1} in {0}")
    @MethodSource("invalidSubscriptions")
    void invalidSubscriptionIsRejectedNamingTheField(String json, String field) {
        assertThatThrownBy(() -> subscription(json))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    static Stream<Arguments> unknownProperties() {
        return Stream.of(
                Arguments.of(with("'colour': 'blue'"), "colour"),
                Arguments.of(withFilters("{'column': 'status', 'op': 'eq', 'value': 'paid', 'negate': true}"),
                        "filters[0].negate"),
                Arguments.of(with("'delivery': {'pager': {}}"), "delivery.pager"),
                Arguments.of(withWebhook("{'url': 'https://example.org', 'headers': {}}"), "delivery.webhook.headers"),
                Arguments.of(withRedis("{'keys': ['k'], 'ttl': 60}"), "delivery.redis.ttl"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unknownProperties")
    void unknownPropertyIsRejectedNamingIt(String json, String field) {
        assertThatThrownBy(() -> subscription(json))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.reason()).startsWith("is not a known property");
                });
    }

    @Test
    void unknownPropertyIsRejectedEvenByAMapperThatIgnoresUnknownProperties() {
        var lenient = Json.configure(new ObjectMapper()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        String json = withFilters("{'column': 'status', 'op': 'eq', 'value': 'paid', 'negate': true}")
                .replace('\'', '"');

        assertThatThrownBy(() -> lenient.readValue(json, Subscription.class))
                .rootCause()
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("negate"));
    }

    @Test
    void wrongOperatorNameListsTheValidOnes() {
        assertThatThrownBy(() -> subscription(withFilters("{'column': 'status', 'op': 'like', 'value': 'p%'}")))
                .hasMessage("filters[0].op: must be one of eq, neq, lt, lte, gt, gte, in, not_in, is_null, not_null,"
                        + " was 'like'");
    }

    @Test
    void badIdSaysWhatWasGiven() {
        assertThatThrownBy(() -> subscription("{'id': 'Paid', 'table': 'public.orders'}"))
                .hasMessageStartingWith("id: must be 1 to 63 lower-case")
                .hasMessageEndingWith("was 'Paid'");
    }

    @Test
    void badRedisTemplateSaysWhereTheProblemIs() {
        assertThatThrownBy(() -> subscription(withRedis("{'keys': ['order:{id']}")))
                .hasMessageContaining("the placeholder at 6 is not closed");
    }

    static Stream<String> validSubscriptions() {
        return Stream.of(
                "{'id': 'a', 'table': 'public.orders'}",
                "{'id': '" + "a".repeat(63) + "', 'table': 'public.orders'}",
                "{'id': '0rders.v2_paid-x', 'table': 'sales.order_lines'}",
                withFilters("{'column': 'status', 'op': 'neq', 'value': 'paid', 'image': 'before'}"),
                withFilters("{'column': 'total', 'op': 'lt', 'value': 10}",
                        "{'column': 'total', 'op': 'lte', 'value': '10.5'}"),
                withFilters("{'column': 'ts', 'op': 'gt', 'value': '2026-01-01T00:00:00Z'}",
                        "{'column': 'paid', 'op': 'gte', 'value': true}"),
                withFilters("{'column': 'status', 'op': 'in', 'value': ['paid', 1, false]}"),
                withFilters("{'column': 'status', 'op': 'not_in', 'value': ['paid']}"),
                withFilters("{'column': 'note', 'op': 'is_null'}", "{'column': 'note', 'op': 'not_null'}"),
                withWebhook("{'url': 'http://localhost:8080/hook'}"),
                withWebhook("{'url': 'HTTPS://example.org/hook?x=1', 'secret': 'whsec_c2VjcmV0'}"),
                withRedis("{'keys': ['orders', 'order:{id}:{line_no}'], 'action': 'set'}"));
    }

    @ParameterizedTest
    @MethodSource("validSubscriptions")
    void validSubscriptionIsAccepted(String json) {
        assertThatCode(() -> subscription(json)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"insert", "update", "delete", "snapshot", "truncate"})
    void everyOpNameIsAccepted(String op) {
        assertThat(subscription(with("'ops': ['" + op + "']")).ops()).singleElement()
                .extracting(o -> o.wireName()).isEqualTo(op);
    }
}
