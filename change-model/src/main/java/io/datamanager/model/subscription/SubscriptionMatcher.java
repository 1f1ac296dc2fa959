package io.datamanager.model.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import java.util.List;

/**
 * Decides which changes a subscription receives and what of them it is sent. Build one per subscription
 * and keep it: the filter values are parsed once, and testing a change allocates next to nothing.
 * Pure: the same subscription and change always give the same answer.
 */
public final class SubscriptionMatcher {
    private final Subscription subscription;
    private final Condition[] conditions;

    public SubscriptionMatcher(Subscription subscription) {
        this.subscription = subscription;
        List<Filter> filters = subscription.filters();
        this.conditions = new Condition[filters.size()];
        for (int i = 0; i < conditions.length; i++) {
            conditions[i] = new Condition(filters.get(i));
        }
    }

    public Subscription subscription() {
        return subscription;
    }

    /**
     * True when the change is of the subscription's table and operations, is (for an update) a change of
     * one of the listed columns, and satisfies every filter. A filter on an image the change does not
     * have (before of an insert, after of a delete) does not hold, except {@code is_null}. A null or absent
     * column value satisfies only {@code is_null}: as in SQL, {@code neq} and {@code not_in} do not hold. A filter on
     * {@code context.<key>} compares the change's application context the same way; no context means no value.
     */
    public boolean matches(ChangeEvent event) {
        if (!subscription.table().equals(event.table()) || !subscription.ops().contains(event.op())) {
            return false;
        }
        if (event.op() == Op.UPDATE && !subscription.columns().isEmpty() && !anyListedColumnChanged(event)) {
            return false;
        }
        for (Condition condition : conditions) {
            if (!condition.holds(event)) {
                return false;
            }
        }
        return true;
    }

    /** The change as this subscription delivers it; see {@link Payload#shape}. */
    public ChangeEvent shape(ChangeEvent event) {
        return subscription.payload().shape(event);
    }

    private boolean anyListedColumnChanged(ChangeEvent event) {
        List<String> changed = event.changed();
        for (int i = 0; i < changed.size(); i++) {
            if (subscription.columns().contains(changed.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** One filter with its value parsed. */
    private static final class Condition {
        private final String column;
        /** Set when the filter compares a key of the change's context rather than a column. */
        private final String contextKey;
        private final FilterOp op;
        private final Image image;
        private final FilterValues.Operand[] operands;

        Condition(Filter filter) {
            this.column = filter.column();
            this.contextKey = filter.contextKey();
            this.op = filter.op();
            this.image = filter.image();
            JsonNode value = filter.value();
            if (value == null) {
                operands = new FilterValues.Operand[0];
            } else if (value.isArray()) {
                operands = new FilterValues.Operand[value.size()];
                for (int i = 0; i < operands.length; i++) {
                    operands[i] = FilterValues.Operand.of(value.get(i));
                }
            } else {
                operands = new FilterValues.Operand[] {FilterValues.Operand.of(value)};
            }
        }

        boolean holds(ChangeEvent event) {
            ObjectNode row = contextKey != null ? event.context() : image == Image.AFTER ? event.after() : event.before();
            JsonNode actual = row == null ? null : row.get(contextKey != null ? contextKey : column);
            if (actual == null || actual.isNull()) {
                return op == FilterOp.IS_NULL;
            }
            return switch (op) {
                case IS_NULL -> false;
                case NOT_NULL -> true;
                case EQ, IN -> anyEqual(actual);
                case NEQ, NOT_IN -> !anyEqual(actual);
                case LT -> ordered(actual) && FilterValues.compare(actual, operands[0]) < 0;
                case LTE -> ordered(actual) && FilterValues.compare(actual, operands[0]) <= 0;
                case GT -> ordered(actual) && FilterValues.compare(actual, operands[0]) > 0;
                case GTE -> ordered(actual) && FilterValues.compare(actual, operands[0]) >= 0;
            };
        }

        private boolean anyEqual(JsonNode actual) {
            for (FilterValues.Operand operand : operands) {
                if (FilterValues.equal(actual, operand)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean ordered(JsonNode actual) {
            return actual.isValueNode();
        }
    }
}
