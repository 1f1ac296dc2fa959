package io.datamanager.streams.topology;

import static io.datamanager.streams.topology.Pipeline.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private final Pipeline p = new Pipeline();

    @AfterEach
    void close() {
        p.close();
    }

    @Test
    void ruleAddedChangedAndRemovedTakesEffectForTheNextChange() {
        p.change("public.orders", "c", row("id", 1), null, row("id", 1, "status", "new"));
        p.rule("orders-all", "{\"id\":\"orders-all\",\"table\":\"public.orders\"}");
        p.change("public.orders", "c", row("id", 2), null, row("id", 2, "status", "new"));
        assertThat(p.subscription("orders-all")).extracting(e -> e.pk().get("id").asInt()).containsExactly(2);

        p.rule("orders-all", "{\"id\":\"orders-all\",\"table\":\"public.orders\",\"ops\":[\"delete\"]}");
        p.change("public.orders", "c", row("id", 3), null, row("id", 3, "status", "new"));
        p.change("public.orders", "d", row("id", 3), row("id", 3, "status", null), null);
        assertThat(p.subscription("orders-all")).extracting(ChangeEvent::op).containsExactly(Op.DELETE);

        p.rule("orders-all", null);
        p.change("public.orders", "c", row("id", 4), null, row("id", 4, "status", "new"));
        assertThat(p.subscription("orders-all")).isEmpty();
    }

    @Test
    void updateOfUnlistedColumnDoesNotNotify() {
        p.change("public.orders", "r", row("id", 1), null, row("id", 1, "status", "new", "note", "a"));
        p.rule("status", "{\"id\":\"status\",\"table\":\"public.orders\",\"columns\":[\"status\"]}");
        p.change("public.orders", "u", row("id", 1), null, row("id", 1, "status", "new", "note", "b"));
        p.change("public.orders", "u", row("id", 1), null, row("id", 1, "status", "paid", "note", "b"));
        assertThat(p.subscription("status")).singleElement()
                .satisfies(e -> assertThat(e.after().get("status").asText()).isEqualTo("paid"));
    }

    @Test
    void filtersLookAtTheFilledBeforeImageAndAtTheAfterImage() {
        p.change("public.orders", "r", row("id", 1), null, row("id", 1, "status", "new", "total", "10.00"));
        p.change("public.orders", "r", row("id", 2), null, row("id", 2, "status", "paid", "total", "99.00"));
        p.rule("was-new", "{\"id\":\"was-new\",\"table\":\"public.orders\",\"ops\":[\"update\"],"
                + "\"filters\":[{\"column\":\"status\",\"op\":\"eq\",\"value\":\"new\",\"image\":\"before\"}]}");
        p.rule("big", "{\"id\":\"big\",\"table\":\"public.orders\","
                + "\"filters\":[{\"column\":\"total\",\"op\":\"gte\",\"value\":50}]}");
        p.change("public.orders", "u", row("id", 1), null, row("id", 1, "status", "paid", "total", "10.00"));
        p.change("public.orders", "u", row("id", 2), null, row("id", 2, "status", "shipped", "total", "99.00"));

        assertThat(p.subscription("was-new")).extracting(e -> e.pk().get("id").asInt()).containsExactly(1);
        assertThat(p.subscription("big")).extracting(e -> e.pk().get("id").asInt()).containsExactly(2);
    }

    @Test
    void payloadShapingTrimsWhatTheSubscriptionTopicCarries() {
        p.change("public.orders", "r", row("id", 1), null, row("id", 1, "status", "new", "note", "n", "total", "1"));
        p.rule("keys", "{\"id\":\"keys\",\"table\":\"public.orders\",\"payload\":\"keys\"}");
        p.rule("changed", "{\"id\":\"changed\",\"table\":\"public.orders\",\"payload\":\"changed\"}");
        p.rule("full", "{\"id\":\"full\",\"table\":\"public.orders\"}");
        p.change("public.orders", "u", row("id", 1), null, row("id", 1, "status", "paid", "note", "n", "total", "1"));

        ChangeEvent keys = p.subscription("keys").get(0);
        assertThat(keys.before()).isNull();
        assertThat(keys.after()).isEqualTo(row("id", 1));
        ChangeEvent changed = p.subscription("changed").get(0);
        assertThat(changed.after()).isEqualTo(row("id", 1, "status", "paid"));
        assertThat(changed.before()).isEqualTo(row("id", 1, "status", "new"));
        ChangeEvent full = p.subscription("full").get(0);
        assertThat(full.after()).isEqualTo(row("id", 1, "status", "paid", "note", "n", "total", "1"));
    }

    @Test
    void subscriptionsOfOtherTablesAreNotConsulted() {
        for (int i = 0; i < 500; i++) {
            p.rule("other-" + i, "{\"id\":\"other-" + i + "\",\"table\":\"public.t" + i + "\"}");
        }
        p.rule("mine", "{\"id\":\"mine\",\"table\":\"public.orders\"}");
        p.change("public.orders", "c", row("id", 1), null, row("id", 1));
        assertThat(p.subscription("mine")).hasSize(1);
        assertThat(p.metrics.processed.get("route")).as("matchers evaluated and passed").hasValue(1);
    }

    @Test
    void invalidRuleGoesToTheDeadLetterSinkAndValidRulesKeepWorking() {
        p.rule("good", "{\"id\":\"good\",\"table\":\"public.orders\"}");
        p.rule("bad", "{\"id\":\"bad\",\"table\":\"public.orders\",\"filters\":[{\"column\":\"x\",\"op\":\"like\",\"value\":1}]}");
        p.change("public.orders", "c", row("id", 1), null, row("id", 1));

        assertThat(p.ruleDeadLetters).singleElement().satisfies(letter -> {
            assertThat(letter.stage()).isEqualTo("rules");
            assertThat(letter.error().getMessage()).contains("filters[0].op");
            assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("bad");
        });
        assertThat(p.subscription("good")).hasSize(1);
        assertThat(p.subscription("bad")).isEmpty();
    }
}
