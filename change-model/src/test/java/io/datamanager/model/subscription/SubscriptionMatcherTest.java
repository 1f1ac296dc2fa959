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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubscriptionMatcherTest {

    static SubscriptionMatcher matcher(String fields) {
        return new SubscriptionMatcher(subscription("{'id': 's', 'table': 'public.orders'" + fields + "}"));
    }

    static SubscriptionMatcher filter(String filter) {
        return matcher(", 'filters': [" + filter + "]");
    }

    @Test
    void changeOfAnotherTableDoesNotMatch() {
        SubscriptionMatcher matcher = matcher("");

        assertThat(matcher.matches(Events.event("public.customers", Op.INSERT, null, json("{'id': 1}"), List.of())))
                .isFalse();
        assertThat(matcher.matches(Events.event("public.orders", Op.INSERT, null, json("{'id': 1}"), List.of())))
                .isTrue();
    }

    @Test
    void changeOfATableWhoseNameMerelyContainsTheSubscribedOneDoesNotMatch() {
        ChangeEvent archived = Events.event("public.orders_archive", Op.INSERT, null, json("{'id': 1}"), List.of());

        assertThat(matcher("").matches(archived)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"insert, true", "update, true", "delete, false", "snapshot, false", "truncate, false"})
    void onlyListedOpsMatch(String op, boolean expected) {
        SubscriptionMatcher matcher = matcher(", 'ops': ['insert', 'update']");

        assertThat(matcher.matches(anEventOf(Op.fromWireName(op)))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"insert", "update", "delete", "snapshot", "truncate"})
    void everyOpMatchesWhenNoneAreListed(String op) {
        assertThat(matcher("").matches(anEventOf(Op.fromWireName(op)))).isTrue();
    }

    @Test
    void updateOfUnlistedColumnDoesNotMatch() {
        ChangeEvent noteChanged = update("{'id': 1, 'status': 'new', 'note': 'a'}",
                "{'id': 1, 'status': 'new', 'note': 'b'}", "note");

        assertThat(matcher(", 'columns': ['status', 'total']").matches(noteChanged)).isFalse();
    }

    @Test
    void updateOfAnyListedColumnMatches() {
        ChangeEvent totalChanged = update("{'id': 1, 'total': '1.00', 'note': 'a'}",
                "{'id': 1, 'total': '2.00', 'note': 'b'}", "note", "total");

        assertThat(matcher(", 'columns': ['status', 'total']").matches(totalChanged)).isTrue();
    }

    @Test
    void updateThatChangedNothingDoesNotMatchListedColumns() {
        ChangeEvent nothingChanged = update("{'id': 1, 'status': 'new'}", "{'id': 1, 'status': 'new'}");

        assertThat(matcher(", 'columns': ['status']").matches(nothingChanged)).isFalse();
        assertThat(matcher("").matches(nothingChanged)).isTrue();
    }

    @Test
    void listedColumnsDoNotRestrictInsertsDeletesSnapshotsOrTruncates() {
        SubscriptionMatcher matcher = matcher(", 'columns': ['status']");

        assertThat(matcher.matches(insert("{'id': 1, 'note': 'a'}"))).isTrue();
        assertThat(matcher.matches(delete("{'id': 1, 'note': 'a'}"))).isTrue();
        assertThat(matcher.matches(snapshot("{'id': 1, 'note': 'a'}"))).isTrue();
        assertThat(matcher.matches(truncate())).isTrue();
    }

    @Test
    void filtersAreAnded() {
        SubscriptionMatcher matcher = matcher(", 'filters': [{'column': 'status', 'op': 'eq', 'value': 'paid'},"
                + " {'column': 'total', 'op': 'gte', 'value': 100}]");

        assertThat(matcher.matches(insert("{'id': 1, 'status': 'paid', 'total': '150.00'}"))).isTrue();
        assertThat(matcher.matches(insert("{'id': 1, 'status': 'paid', 'total': '50.00'}"))).isFalse();
        assertThat(matcher.matches(insert("{'id': 1, 'status': 'new', 'total': '150.00'}"))).isFalse();
    }

    @Test
    void filterOnBeforeImageLooksAtTheOldValue() {
        ChangeEvent paid = update("{'id': 1, 'status': 'new'}", "{'id': 1, 'status': 'paid'}", "status");

        assertThat(filter("{'column': 'status', 'op': 'eq', 'value': 'new', 'image': 'before'}").matches(paid))
                .isTrue();
        assertThat(filter("{'column': 'status', 'op': 'eq', 'value': 'paid', 'image': 'before'}").matches(paid))
                .isFalse();
    }

    @Test
    void filterWithoutImageLooksAtTheNewValue() {
        ChangeEvent paid = update("{'id': 1, 'status': 'new'}", "{'id': 1, 'status': 'paid'}", "status");

        assertThat(filter("{'column': 'status', 'op': 'eq', 'value': 'paid'}").matches(paid)).isTrue();
        assertThat(filter("{'column': 'status', 'op': 'eq', 'value': 'new'}").matches(paid)).isFalse();
    }

    @ParameterizedTest(name = "{0} on the before image of an insert: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {'column': 'status', 'op': 'eq', 'value': 'paid', 'image': 'before'}   | false
            {'column': 'status', 'op': 'neq', 'value': 'paid', 'image': 'before'}  | false
            {'column': 'status', 'op': 'not_in', 'value': ['x'], 'image': 'before'}| false
            {'column': 'status', 'op': 'lt', 'value': 'zzz', 'image': 'before'}    | false
            {'column': 'status', 'op': 'not_null', 'image': 'before'}              | false
            {'column': 'status', 'op': 'is_null', 'image': 'before'}               | true
            """)
    void filterOnAnImageTheChangeLacksHoldsOnlyForIsNull(String filter, boolean expected) {
        assertThat(filter(filter).matches(insert("{'id': 1, 'status': 'paid'}"))).isEqualTo(expected);
        String onAfter = filter.replace("'before'", "'after'");
        assertThat(filter(onAfter).matches(delete("{'id': 1, 'status': 'paid'}"))).isEqualTo(expected);
    }

    @Test
    void truncateMatchesOnlyFiltersThatAskForNothing() {
        assertThat(filter("{'column': 'status', 'op': 'eq', 'value': 'paid'}").matches(truncate())).isFalse();
        assertThat(filter("{'column': 'status', 'op': 'is_null'}").matches(truncate())).isTrue();
    }

    @Test
    void aContextFilterComparesTheKeyOfTheChangesContext() {
        SubscriptionMatcher billing = filter("{'column': 'context.source', 'op': 'eq', 'value': 'billing-job'}");
        ChangeEvent change = insert("{'id': 1, 'source': 'billing-job'}");

        assertThat(billing.matches(change.withContext(json("{'user': 'alice', 'source': 'billing-job'}")))).isTrue();
        assertThat(billing.matches(change.withContext(json("{'user': 'alice', 'source': 'web'}")))).isFalse();
        assertThat(billing.matches(change)).as("no context, though a column of that name matches").isFalse();
        assertThat(billing.matches(change.withContext(json("{'user': 'alice'}")))).as("no such key").isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'column': 'context.source', 'op': 'neq', 'value': 'web'}|true|false",
        "{'column': 'context.source', 'op': 'in', 'value': ['web', 'billing-job']}|true|false",
        "{'column': 'context.source', 'op': 'not_in', 'value': ['web']}|true|false",
        "{'column': 'context.attempt', 'op': 'gte', 'value': 2}|true|false",
        "{'column': 'context.source', 'op': 'not_null'}|true|false",
        "{'column': 'context.source', 'op': 'is_null'}|false|true",
    })
    void contextFiltersUseTheColumnOperatorsAndAnAbsentContextIsNull(String filter, boolean withContext, boolean without) {
        ChangeEvent change = insert("{'id': 1}");

        assertThat(filter(filter).matches(change.withContext(json("{'source': 'billing-job', 'attempt': 3}")))).isEqualTo(withContext);
        assertThat(filter(filter).matches(change)).isEqualTo(without);
    }

    @Test
    void matcherKeepsItsSubscription() {
        Subscription sub = subscription("{'id': 's', 'table': 'public.orders'}");

        assertThat(new SubscriptionMatcher(sub).subscription()).isSameAs(sub);
    }

    private static ChangeEvent anEventOf(Op op) {
        return switch (op) {
            case INSERT -> insert("{'id': 1, 'status': 'new'}");
            case UPDATE -> update("{'id': 1, 'status': 'new'}", "{'id': 1, 'status': 'paid'}", "status");
            case DELETE -> delete("{'id': 1, 'status': 'paid'}");
            case SNAPSHOT -> snapshot("{'id': 1, 'status': 'paid'}");
            case TRUNCATE -> truncate();
        };
    }
}
