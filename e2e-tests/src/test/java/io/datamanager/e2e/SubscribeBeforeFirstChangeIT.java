package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import io.datamanager.testsupport.TopicReader;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new user's order of things on the whole pipeline: create a table, subscribe to it, then write. The
 * subscription is accepted before the table's first change (its columns checked against the source
 * database's catalog), and that first insert is the first record on {@code dm.sub.<id>}. On the shared stack: the
 * table and the subscriptions are this class's own.
 */
@ExtendWith(SharedStack.class)
class SubscribeBeforeFirstChangeIT {
    private static Stack stack;

    @BeforeAll
    static void start(Stack shared) {
        stack = shared;
    }

    @Test
    void aTableCreatedAMomentAgoIsSubscribedToAndItsFirstInsertArrivesOnTheSubscriptionsTopic() throws Exception {
        stack.sql("CREATE TABLE cc_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))");

        var typo = stack.api("PUT", "/api/subscriptions/cc-typo", "{\"table\":\"public.cc_items\",\"columns\":[\"prise\"]}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("\"field\":\"columns[0]\"").contains("'prise' is not a column of public.cc_items [id, name, price]");
        var nowhere = stack.api("PUT", "/api/subscriptions/cc-nowhere", "{\"table\":\"public.cc_itemz\"}");
        assertThat(nowhere.statusCode()).isEqualTo(400);
        assertThat(nowhere.body()).contains("\"field\":\"table\"").contains("'public.cc_itemz' is not a table of the source database");

        var created = stack.api("PUT", "/api/subscriptions/cc-items",
                "{\"table\":\"public.cc_items\",\"ops\":[\"insert\"],\"filters\":[{\"column\":\"price\",\"op\":\"not_null\"}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Instant subscribed = Instant.now();
        stack.sql("INSERT INTO cc_items VALUES (1, 'first', 9.90)");

        var records = TopicReader.readUntil(stack.bootstrap, stack.prefix + ".sub.cc-items", r -> !r.isEmpty(), Duration.ofSeconds(120));
        ChangeEvent first = ChangeEvent.fromJson(records.get(0).value());
        assertThat(first.op()).isEqualTo(Op.INSERT);
        assertThat(first.table()).isEqualTo("public.cc_items");
        assertThat(first.after().path("name").asText()).isEqualTo("first");
        assertThat(first.after().path("price").asText()).isEqualTo("9.90");
        System.out.printf("subscribed before the first change; the first insert reached dm.sub.cc-items %d ms after the subscription%n",
                Duration.between(subscribed, Instant.now()).toMillis());
    }
}
