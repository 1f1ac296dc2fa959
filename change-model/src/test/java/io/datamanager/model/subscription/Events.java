package io.datamanager.model.subscription;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Builds the change events and subscriptions the tests read; JSON is written with single quotes. */
final class Events {
    static final String TABLE = "public.orders";
    private static final Instant COMMIT = Instant.parse("2026-11-23T10:15:30.123456Z");

    private Events() {}

    static ObjectNode json(String singleQuoted) {
        try {
            return (ObjectNode) Json.mapper().readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    static Subscription subscription(String singleQuoted) {
        return Subscription.fromJson(singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static ChangeEvent insert(String after) {
        return event(TABLE, Op.INSERT, null, json(after), List.of());
    }

    static ChangeEvent snapshot(String after) {
        return event(TABLE, Op.SNAPSHOT, null, json(after), List.of());
    }

    static ChangeEvent update(String before, String after, String... changed) {
        return event(TABLE, Op.UPDATE, json(before), json(after), List.of(changed));
    }

    static ChangeEvent delete(String before) {
        return event(TABLE, Op.DELETE, json(before), null, List.of());
    }

    static ChangeEvent truncate() {
        return new ChangeEvent(1, "t-1", TABLE, Op.TRUNCATE, json("{}"), null, null, List.of(), true, List.of(),
                "0/16B3748", 771L, COMMIT, null);
    }

    static ChangeEvent event(String table, Op op, ObjectNode before, ObjectNode after, List<String> changed) {
        ObjectNode row = after != null ? after : before;
        ObjectNode pk = row.objectNode().set("id", row.get("id"));
        return new ChangeEvent(1, "e-" + op.wireName(), table, op, pk, before, after, changed, true, List.of(),
                "0/16B3748", 771L, COMMIT, COMMIT.plusMillis(17));
    }
}
