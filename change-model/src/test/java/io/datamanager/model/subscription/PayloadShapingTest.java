package io.datamanager.model.subscription;

import static io.datamanager.model.subscription.Events.delete;
import static io.datamanager.model.subscription.Events.insert;
import static io.datamanager.model.subscription.Events.json;
import static io.datamanager.model.subscription.Events.snapshot;
import static io.datamanager.model.subscription.Events.subscription;
import static io.datamanager.model.subscription.Events.truncate;
import static io.datamanager.model.subscription.Events.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PayloadShapingTest {
    private static final String BEFORE = "{'id': 7, 'status': 'new', 'total': '10.00', 'note': 'gift'}";
    private static final String AFTER = "{'id': 7, 'status': 'paid', 'total': '10.00', 'note': 'gift'}";
    private static final ChangeEvent PAID = update(BEFORE, AFTER, "status");

    @Test
    void fullDeliversTheChangeAsCaptured() {
        assertThat(Payload.FULL.shape(PAID)).isSameAs(PAID);
    }

    @Test
    void changedKeepsOnlyTheKeyAndTheChangedColumnsOfAnUpdate() {
        ChangeEvent shaped = Payload.CHANGED.shape(PAID);

        assertThat(shaped.before()).isEqualTo(json("{'id': 7, 'status': 'new'}"));
        assertThat(shaped.after()).isEqualTo(json("{'id': 7, 'status': 'paid'}"));
        assertThatEverythingButTheImagesIsKept(shaped, PAID);
    }

    @Test
    void changedKeepsKeyColumnsEvenWhenTheKeyIsComposite() {
        ChangeEvent lineChanged = new ChangeEvent(1, "e", "public.order_lines", Op.UPDATE,
                json("{'order_id': 7, 'line_no': 2}"), json("{'order_id': 7, 'line_no': 2, 'qty': 1, 'sku': 'a'}"),
                json("{'order_id': 7, 'line_no': 2, 'qty': 3, 'sku': 'a'}"), List.of("qty"), true, List.of(),
                "0/1", null, PAID.commitTs(), null);

        assertThat(Payload.CHANGED.shape(lineChanged).after())
                .isEqualTo(json("{'order_id': 7, 'line_no': 2, 'qty': 3}"));
    }

    static Stream<ChangeEvent> wholeRowChanges() {
        return Stream.of(insert(AFTER), delete(BEFORE), snapshot(AFTER), truncate());
    }

    @ParameterizedTest
    @MethodSource("wholeRowChanges")
    void changedKeepsTheWholeRowOfOtherOperations(ChangeEvent event) {
        assertThat(Payload.CHANGED.shape(event)).isEqualTo(event);
    }

    @Test
    void keysDropsBeforeAndLeavesOnlyTheKeyInAfter() {
        ChangeEvent shaped = Payload.KEYS.shape(PAID);

        assertThat(shaped.before()).isNull();
        assertThat(shaped.after()).isEqualTo(json("{'id': 7}"));
        assertThatEverythingButTheImagesIsKept(shaped, PAID);
    }

    @Test
    void keysOfAnInsertKeepsOnlyTheKey() {
        assertThat(Payload.KEYS.shape(insert(AFTER)).after()).isEqualTo(json("{'id': 7}"));
    }

    @Test
    void keysOfADeleteCarriesNoImage() {
        ChangeEvent shaped = Payload.KEYS.shape(delete(BEFORE));

        assertThat(shaped.before()).isNull();
        assertThat(shaped.after()).isNull();
        assertThat(shaped.pk()).isEqualTo(json("{'id': 7}"));
    }

    @Test
    void shapingKeepsTheCompletenessOfTheCapturedChange() {
        ChangeEvent incomplete = new ChangeEvent(1, "e", "public.orders", Op.UPDATE, json("{'id': 7}"), json(BEFORE),
                json("{'id': 7, 'status': 'paid'}"), List.of("status"), false, List.of("note"), "0/1", null,
                PAID.commitTs(), null);

        assertThat(Payload.CHANGED.shape(incomplete).missing()).containsExactly("note");
        assertThat(Payload.KEYS.shape(incomplete).complete()).isFalse();
    }

    static Stream<Arguments> everyPayloadAndChange() {
        return Stream.of(Payload.values()).flatMap(p -> Stream.concat(Stream.of(PAID), wholeRowChanges())
                .map(e -> Arguments.of(p, e)));
    }

    @ParameterizedTest(name = "{0} of {1}")
    @MethodSource("everyPayloadAndChange")
    void shapedChangeIsAValidChangeEventJson(Payload payload, ChangeEvent event) {
        ChangeEvent shaped = payload.shape(event);

        assertThat(ChangeEvent.fromJson(shaped.toJson())).isEqualTo(shaped);
    }

    @ParameterizedTest
    @EnumSource(Payload.class)
    void matcherShapesByTheSubscriptionsPayload(Payload payload) {
        SubscriptionMatcher matcher = new SubscriptionMatcher(
                subscription("{'id': 's', 'table': 'public.orders', 'payload': '" + payload.wireName() + "'}"));

        assertThat(matcher.shape(PAID)).isEqualTo(payload.shape(PAID));
    }

    @Test
    void shapingLeavesTheCapturedChangeUntouched() {
        ChangeEvent event = update(BEFORE, AFTER, "status");
        Payload.CHANGED.shape(event);
        Payload.KEYS.shape(event);

        assertThat(event).isEqualTo(update(BEFORE, AFTER, "status"));
    }

    private static void assertThatEverythingButTheImagesIsKept(ChangeEvent shaped, ChangeEvent source) {
        assertThat(shaped).usingRecursiveComparison().ignoringFields("before", "after").isEqualTo(source);
    }
}
