package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.ValidationException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A registration for the changes of one table (contract: Subscription JSON), the value of {@code dm.rules}.
 * It says which changes match ({@link SubscriptionMatcher}), how much of each is delivered
 * ({@link Payload#shape}) and where, besides the subscription's own topic {@code dm.sub.<id>} and its SSE
 * stream. Invalid input is rejected with a {@link ValidationException} naming the JSON path of the field.
 *
 * @param id {@code [a-z0-9][a-z0-9._-]{0,62}}, part of the topic name
 * @param table {@code schema.table}
 * @param ops the operations that match; all of them when absent or empty
 * @param columns an update matches only when one of these changed; no restriction when empty
 * @param filters conditions on row values, ANDed
 * @param payload how much of a change is delivered; {@code full} when absent
 * @param delivery webhook and Redis delivery, both optional
 */
@JsonPropertyOrder({"id", "table", "ops", "columns", "filters", "payload", "delivery"})
public record Subscription(String id, String table, Set<Op> ops, List<String> columns, List<Filter> filters,
        Payload payload, Delivery delivery) {

    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern TABLE = Pattern.compile("[^.\\s]+\\.\\S+");
    private static final Set<Op> ALL_OPS = Collections.unmodifiableSet(EnumSet.allOf(Op.class));

    public Subscription {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ValidationException("id", "must be 1 to 63 lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, was '" + id + "'");
        }
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new ValidationException("table", "must be schema.table, like public.orders, was '" + table + "'");
        }
        ops = ops == null || ops.isEmpty() ? ALL_OPS : opSet(ops);
        columns = columns == null ? List.of() : checkColumns(columns);
        filters = filters == null ? List.of() : checkFilters(filters);
        payload = payload == null ? Payload.FULL : payload;
        delivery = delivery == null ? Delivery.NONE : delivery;
        if (delivery.redis() != null && payload != Payload.FULL) {
            throw new ValidationException("payload", "must be full when delivery.redis is set: keys and cached rows are "
                    + "filled from whole rows, and a trimmed image could leave a key untouched; was '" + payload.wireName() + "'");
        }
    }

    /**
     * The JSON form reads operation and payload names here, so an error names {@code ops[1]} or
     * {@code payload} rather than a Jackson type, and rejects properties the contract does not define.
     */
    @JsonCreator
    static Subscription fromProperties(@JsonProperty("id") String id, @JsonProperty("table") String table,
            @JsonProperty("ops") List<String> ops, @JsonProperty("columns") List<String> columns,
            @JsonProperty("filters") List<Filter> filters, @JsonProperty("payload") String payload,
            @JsonProperty("delivery") Delivery delivery, @JsonAnySetter Map<String, JsonNode> unknown) {
        WireNames.rejectUnknown(unknown, "id, table, ops, columns, filters, payload, delivery");
        Set<Op> opSet = null;
        if (ops != null) {
            opSet = EnumSet.noneOf(Op.class);
            for (int i = 0; i < ops.size(); i++) {
                opSet.add(Op.fromWireName(ops.get(i), "ops[" + i + "]"));
            }
        }
        return new Subscription(id, table, opSet, columns, filters,
                payload == null ? null : Payload.fromWireName(payload, "payload"), delivery);
    }

    /** The contract JSON. */
    public byte[] toJson() {
        return Json.toBytes(this);
    }

    /**
     * Reads the contract JSON; any problem, an unknown property included, becomes a
     * {@link ValidationException} naming the full JSON path ({@code filters[0].op}, {@code delivery.redis.keys[1]}).
     */
    public static Subscription fromJson(byte[] json) {
        return Json.read(json, Subscription.class);
    }

    private static Set<Op> opSet(Set<Op> ops) {
        for (Op op : ops) {
            if (op == null) {
                throw new ValidationException("ops", "must not contain null");
            }
        }
        return Collections.unmodifiableSet(EnumSet.copyOf(ops));
    }

    private static List<String> checkColumns(List<String> columns) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            if (column == null || column.isBlank()) {
                throw new ValidationException("columns[" + i + "]", "must name a column");
            }
            if (!seen.add(column)) {
                throw new ValidationException("columns[" + i + "]", "lists '" + column + "' a second time");
            }
        }
        return List.copyOf(columns);
    }

    private static List<Filter> checkFilters(List<Filter> filters) {
        for (int i = 0; i < filters.size(); i++) {
            if (filters.get(i) == null) {
                throw new ValidationException("filters[" + i + "]", "must be a filter object, was null");
            }
        }
        return List.copyOf(filters);
    }
}
