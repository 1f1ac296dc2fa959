package io.datamanager.streams.topology;

import io.datamanager.model.subscription.Subscription;
import io.datamanager.model.subscription.SubscriptionMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions by table, so matching a change costs only the subscriptions of its own table,
 * however many others exist. Written by the global rules processor, read by every stream thread: each
 * table's list is replaced whole, never changed in place.
 */
final class RuleIndex {
    private final Map<String, List<SubscriptionMatcher>> byTable = new ConcurrentHashMap<>();
    private final Map<String, String> tableById = new ConcurrentHashMap<>();

    List<SubscriptionMatcher> forTable(String table) {
        return byTable.getOrDefault(table, List.of());
    }

    synchronized void put(Subscription subscription) {
        remove(subscription.id());
        tableById.put(subscription.id(), subscription.table());
        byTable.compute(subscription.table(), (table, current) -> {
            List<SubscriptionMatcher> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
            next.add(new SubscriptionMatcher(subscription));
            return List.copyOf(next);
        });
    }

    synchronized void remove(String id) {
        String table = tableById.remove(id);
        if (table == null) {
            return;
        }
        byTable.computeIfPresent(table, (t, current) -> {
            List<SubscriptionMatcher> next = current.stream().filter(m -> !m.subscription().id().equals(id)).toList();
            return next.isEmpty() ? null : next;
        });
    }
}
