package io.datamanager.model.subscription;

import static io.datamanager.model.subscription.Events.json;
import static io.datamanager.model.subscription.Events.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionJsonTest {
    /** The contract example of ARCHITECTURE.md with its alternatives resolved to one value each. */
    static final String CONTRACT_EXAMPLE = """
            {
              "id": "paid-orders",
              "table": "public.orders",
              "ops": ["insert", "update"],
              "columns": ["status"],
              "filters": [{"column": "status", "op": "eq", "value": "paid", "image": "after"}],
              "payload": "full",
              "delivery": {
                "webhook": {"url": "https://example.org/hook", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
                "redis":   {"keys": ["order:{id}", "customer-orders:{customer_id}"], "action": "set"}
              }
            }
            """;

    @Test
    void contractExampleIsReadIntoEveryField() {
        Subscription sub = Subscription.fromJson(CONTRACT_EXAMPLE.getBytes(StandardCharsets.UTF_8));

        assertThat(sub.id()).isEqualTo("paid-orders");
        assertThat(sub.table()).isEqualTo("public.orders");
        assertThat(sub.ops()).containsExactlyInAnyOrder(Op.INSERT, Op.UPDATE);
        assertThat(sub.columns()).containsExactly("status");
        assertThat(sub.filters()).containsExactly(new Filter("status", FilterOp.EQ, new TextNode("paid"), Image.AFTER));
        assertThat(sub.payload()).isEqualTo(Payload.FULL);
        assertThat(sub.delivery().webhook())
                .isEqualTo(new Webhook("https://example.org/hook", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        assertThat(sub.delivery().redis())
                .isEqualTo(new Redis(List.of("order:{id}", "customer-orders:{customer_id}"), RedisAction.SET));
    }

    @Test
    void contractExampleRoundTripsToTheSameJson() throws Exception {
        Subscription sub = Subscription.fromJson(CONTRACT_EXAMPLE.getBytes(StandardCharsets.UTF_8));

        assertThat(Json.mapper().readTree(sub.toJson())).isEqualTo(Json.mapper().readTree(CONTRACT_EXAMPLE));
        assertThat(Subscription.fromJson(sub.toJson())).isEqualTo(sub);
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "changed", "keys"})
    void payloadIsWrittenWithItsContractName(String payload) {
        Subscription sub = subscription("{'id': 's', 'table': 'public.orders', 'payload': '" + payload + "'}");

        assertThat(Json.toString(sub)).contains("\"payload\":\"" + payload + "\"");
        assertThat(Subscription.fromJson(sub.toJson()).payload()).isEqualTo(sub.payload());
    }

    @Test
    void absentOptionalFieldsGetTheirDefaults() {
        Subscription sub = subscription("{'id': 's', 'table': 'public.orders'}");

        assertThat(sub.ops()).isEqualTo(EnumSet.allOf(Op.class));
        assertThat(sub.columns()).isEmpty();
        assertThat(sub.filters()).isEmpty();
        assertThat(sub.payload()).isEqualTo(Payload.FULL);
        assertThat(sub.delivery().webhook()).isNull();
        assertThat(sub.delivery().redis()).isNull();
    }

    @Test
    void emptyOrNullOpsMeanEveryOp() {
        assertThat(subscription("{'id': 's', 'table': 'public.orders', 'ops': []}").ops())
                .isEqualTo(EnumSet.allOf(Op.class));
        assertThat(subscription("{'id': 's', 'table': 'public.orders', 'ops': null}").ops())
                .isEqualTo(EnumSet.allOf(Op.class));
    }

    @Test
    void filterImageAndRedisActionHaveDefaults() {
        Subscription sub = subscription("""
                {'id': 's', 'table': 'public.orders', 'filters': [{'column': 'status', 'op': 'eq', 'value': 'paid'}],
                 'delivery': {'redis': {'keys': ['order:{id}']}}}""");

        assertThat(sub.filters().get(0).image()).isEqualTo(Image.AFTER);
        assertThat(sub.delivery().redis().action()).isEqualTo(RedisAction.DELETE);
    }

    @Test
    void defaultsAreWrittenOutAndReadBackEqual() {
        Subscription sub = subscription("{'id': 's', 'table': 'public.orders'}");

        assertThat(Json.toString(sub)).contains("\"payload\":\"full\"", "\"ops\":[\"insert\",\"update\"");
        assertThat(Subscription.fromJson(sub.toJson())).isEqualTo(sub);
    }

    @Test
    void aJsonNullFilterValueCountsAsAbsent() {
        Subscription sub = subscription("{'id': 's', 'table': 'public.orders',"
                + " 'filters': [{'column': 'note', 'op': 'is_null', 'value': null}]}");

        assertThat(sub.filters().get(0).value()).isNull();
        assertThat(Json.toString(sub)).doesNotContain("value");
    }

    @Test
    void collectionsCannotBeChangedAfterConstruction() {
        Subscription sub = new Subscription("s", "public.orders", EnumSet.of(Op.INSERT),
                new ArrayList<>(List.of("status")), null, null, null);

        assertThatThrownBy(() -> sub.columns().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> sub.ops().add(Op.DELETE)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nullOpInAJavaBuiltSetIsRejected() {
        Set<Op> ops = new HashSet<>();
        ops.add(null);

        assertThatThrownBy(() -> new Subscription("s", "public.orders", ops, null, null, null, null))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("ops"));
    }

    @Test
    void nestedRecordsBuiltInJavaNameTheirOwnFields() {
        assertThatThrownBy(() -> new Filter("status", FilterOp.EQ, null, null))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("value"));
        assertThatThrownBy(() -> new Redis(List.of("a:{id}", "b:{"), null))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("keys[1]"));
        assertThatThrownBy(() -> new Subscription("s", "public.orders", null, null,
                        Arrays.asList(new Filter("a", FilterOp.NOT_NULL, null, null), null), null, null))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("filters[1]"));
    }

    @Test
    void webhookToStringDoesNotRevealTheSecret() {
        Webhook webhook = new Webhook("https://example.org/hook", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        assertThat(webhook.toString()).contains("https://example.org/hook").doesNotContain("MfKQ9r8");
        assertThat(webhook.secretKey()).hasSize(24);
    }

    @Test
    void filterValueIsCopiedSoLaterEditsDoNotChangeTheFilter() {
        var value = json("{'v': ['paid']}").get("v");
        Filter filter = new Filter("status", FilterOp.IN, value, null);
        ((ArrayNode) value).add("new");

        assertThat(filter.value()).hasSize(1);
    }
}
