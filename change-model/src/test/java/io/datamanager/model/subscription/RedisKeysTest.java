package io.datamanager.model.subscription;

import static io.datamanager.model.subscription.Events.delete;
import static io.datamanager.model.subscription.Events.insert;
import static io.datamanager.model.subscription.Events.json;
import static io.datamanager.model.subscription.Events.truncate;
import static io.datamanager.model.subscription.Events.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import io.datamanager.model.ValidationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisKeysTest {
    private static final Redis EVICT = new Redis(List.of("order:{id}", "customer-orders:{customer_id}"), RedisAction.DELETE);
    private static final Redis WRITE = new Redis(List.of("order:{id}", "customer-orders:{customer_id}"), RedisAction.SET);

    @Test
    void insertWritesTheRowUnderEveryTemplateOrEvictsThem() {
        ChangeEvent created = insert("{'id': 42, 'customer_id': 7, 'status': 'new'}");

        assertThat(RedisKeys.of(WRITE, created).set()).containsExactlyInAnyOrder("order:42", "customer-orders:7");
        assertThat(RedisKeys.of(WRITE, created).delete()).isEmpty();
        assertThat(RedisKeys.of(EVICT, created).delete()).containsExactlyInAnyOrder("order:42", "customer-orders:7");
        assertThat(RedisKeys.of(EVICT, created).set()).isEmpty();
    }

    @Test
    void updateThatMovesTheRowToAnotherCustomerReachesTheOldKeyAndTheNewOne() {
        ChangeEvent moved = update("{'id': 42, 'customer_id': 7, 'status': 'new'}", "{'id': 42, 'customer_id': 8, 'status': 'new'}",
                "customer_id");

        assertThat(RedisKeys.of(EVICT, moved).delete()).containsExactlyInAnyOrder("order:42", "customer-orders:7", "customer-orders:8");
        RedisKeys written = RedisKeys.of(WRITE, moved);
        assertThat(written.set()).containsExactlyInAnyOrder("order:42", "customer-orders:8");
        assertThat(written.delete()).as("the row left customer 7").containsExactly("customer-orders:7");
    }

    @Test
    void deleteRemovesTheKeysOfThePreviousRowWhateverTheAction() {
        ChangeEvent gone = delete("{'id': 42, 'customer_id': 7, 'status': 'paid'}");

        assertThat(RedisKeys.of(WRITE, gone).delete()).containsExactlyInAnyOrder("order:42", "customer-orders:7");
        assertThat(RedisKeys.of(WRITE, gone).set()).isEmpty();
        assertThat(RedisKeys.of(EVICT, gone).delete()).containsExactlyInAnyOrder("order:42", "customer-orders:7");
    }

    @Test
    void aNullColumnNamesNoKeyAndIsNoProblem() {
        RedisKeys keys = RedisKeys.of(EVICT, insert("{'id': 42, 'customer_id': null}"));

        assertThat(keys.delete()).containsExactly("order:42");
        assertThat(keys.problems()).isEmpty();
    }

    @Test
    void aColumnTheImageLacksIsReportedNotGuessed() {
        Redis typo = new Redis(List.of("order:{id}", "customer-orders:{customer}"), RedisAction.DELETE);
        RedisKeys keys = RedisKeys.of(typo, insert("{'id': 42, 'customer_id': 7}"));

        assertThat(keys.delete()).containsExactly("order:42");
        assertThat(keys.problems()).containsExactly("after has no column 'customer' for key template 'customer-orders:{customer}'");
    }

    @Test
    void anUpdateWithoutBeforeImageSaysTheOldKeysAreNotReached() {
        ChangeEvent blind = new ChangeEvent(1, "e", Events.TABLE, Op.UPDATE, json("{'id': 42}"), null,
                json("{'id': 42, 'customer_id': 8}"), List.of(), false, List.of("before"), "0/1", 1L,
                java.time.Instant.EPOCH, null);

        RedisKeys keys = RedisKeys.of(EVICT, blind);
        assertThat(keys.delete()).containsExactlyInAnyOrder("order:42", "customer-orders:8");
        assertThat(keys.problems()).singleElement().asString().contains("before image is not known");
    }

    @Test
    void valuesGoInAsTextNumbersAsWrittenAndStructuresAsJson() {
        Redis redis = new Redis(List.of("k:{name}:{total}:{paid}:{tags}:{id}"), RedisAction.DELETE);
        RedisKeys keys = RedisKeys.of(redis, insert("{'id': 1, 'name': 'Ann B', 'total': '12.50', 'paid': true, 'tags': ['a', 'b']}"));

        assertThat(keys.delete()).containsExactly("k:Ann B:12.50:true:[\"a\",\"b\"]:1");
    }

    @Test
    void truncateNamesNoRowSoEveryKeyTheTemplatesCanProduceIsMatched() {
        Redis redis = new Redis(List.of("order:{id}", "order:{id}:lines", "odd*[key]?:{id}"), RedisAction.DELETE);
        RedisKeys keys = RedisKeys.of(redis, truncate());

        assertThat(keys.globs()).containsExactly("order:*", "order:*:lines", "odd\\*\\[key\\]\\?:*");
        assertThat(keys.set()).isEmpty();
        assertThat(keys.delete()).isEmpty();
    }

    @Test
    void templateListsTheColumnsItNames() {
        assertThat(new KeyTemplate("order:{order_id}:line:{ line_no }").columns()).containsExactly("order_id", "line_no");
    }

    @Test
    void connectionNamesAGatewayConnectionNeverAnAddress() {
        assertThat(new Redis(List.of("k:{id}"), null, "cache-eu").connection()).isEqualTo("cache-eu");
        assertThatThrownBy(() -> Events.subscription(
                "{'id': 'a', 'table': 'public.t', 'delivery': {'redis': {'keys': ['k:{id}'], 'connection': 'redis://h:6379'}}}"))
                .isInstanceOf(ValidationException.class)
                .hasFieldOrPropertyWithValue("field", "delivery.redis.connection");
    }

    @Test
    void redisDeliveryNeedsWholeRows() {
        assertThatThrownBy(() -> Events.subscription(
                "{'id': 'a', 'table': 'public.t', 'payload': 'keys', 'delivery': {'redis': {'keys': ['k:{id}']}}}"))
                .isInstanceOf(ValidationException.class)
                .hasFieldOrPropertyWithValue("field", "payload")
                .hasMessageContaining("must be full when delivery.redis is set");
    }
}
