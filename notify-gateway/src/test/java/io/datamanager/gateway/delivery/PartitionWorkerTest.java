package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A partition's records delivered in lanes: a key's records in their order, records of other keys beside them, and
 * the committable offset never past a record that is not done, whatever finished after it.
 */
class PartitionWorkerTest {
    private final List<PartitionWorker> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(PartitionWorker::stop);
    }

    private PartitionWorker start(PartitionWorker.Delivery delivery, int lanes) {
        PartitionWorker worker = new PartitionWorker("s", delivery, lanes);
        started.add(worker);
        Thread.ofVirtual().start(worker);
        return worker;
    }

    private static ConsumerRecord<String, byte[]> record(long offset, String key) {
        return new ConsumerRecord<>("dm.sub.s", 0, offset, key, new byte[0]);
    }

    /** What a committer would have committed last: the worker's committable offsets, followed until they settle at {@code expected}. */
    private static void awaitCommittable(PartitionWorker worker, AtomicLong committed, long expected) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> {
            worker.committable().ifPresent(committed::set);
            return committed.get() == expected;
        });
    }

    @Test
    void eachKeysRecordsArriveInTheirOrderWhileOtherKeysGoOutBesideThem() {
        Map<String, List<Long>> delivered = new ConcurrentHashMap<>();
        AtomicInteger inDelivery = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Map<Long, Integer> pauses = new ConcurrentHashMap<>();
        Random random = new Random(13);
        int records = 3000;
        for (long offset = 0; offset < records; offset++) {
            pauses.put(offset, random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0);
        }
        PartitionWorker worker = start((subscription, record, w) -> {
            mostAtOnce.accumulateAndGet(inDelivery.incrementAndGet(), Math::max);
            Thread.sleep(pauses.get(record.offset())); // a receiver taking 0-3 ms to answer
            delivered.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(record.offset());
            inDelivery.decrementAndGet();
        }, 8);
        Map<String, List<Long>> sent = new ConcurrentHashMap<>();
        AtomicLong committed = new AtomicLong(-1);
        for (long offset = 0; offset < records; offset++) {
            String key = "public.t{\"id\":" + random.nextInt(60) + "}";
            sent.computeIfAbsent(key, k -> new ArrayList<>()).add(offset);
            worker.enqueue(record(offset, key));
            Optional<Long> next = worker.committable();
            if (next.isPresent()) {
                assertThat(next.get()).as("never past a record not delivered").isLessThanOrEqualTo(firstNotDelivered(delivered, offset + 1));
                committed.set(next.get());
            }
        }
        worker.reached(records + 2); // two transaction markers after the last record
        awaitCommittable(worker, committed, records + 2);

        assertThat(delivered).isEqualTo(sent); // every record once, each key's in offset order
        assertThat(mostAtOnce.get()).as("records of other keys in delivery at once").isBetween(2, 8);
        assertThat(worker.pending()).isZero();
    }

    /** The lowest offset below {@code end} that no key has delivered yet. */
    private static long firstNotDelivered(Map<String, List<Long>> delivered, long end) {
        java.util.Set<Long> done = new java.util.HashSet<>();
        delivered.values().forEach(done::addAll);
        for (long offset = 0; offset < end; offset++) {
            if (!done.contains(offset)) {
                return offset;
            }
        }
        return end;
    }

    @Test
    void aRecordStillInDeliveryHoldsTheCommitWhileLaterRecordsOfOtherRowsAreDelivered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Long> slowRow = new CopyOnWriteArrayList<>();
        AtomicInteger others = new AtomicInteger();
        PartitionWorker worker = start((subscription, record, w) -> {
            if (record.key().equals("slow")) {
                if (record.offset() == 5) {
                    release.await(20, TimeUnit.SECONDS); // a receiver that has not answered yet
                }
                slowRow.add(record.offset());
            } else {
                others.incrementAndGet();
            }
        }, 4);
        // keys that differ from "slow" in their lane are found by the worker's own hashing; any key may share its lane
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 3; i++) {
            String key = "row-" + i;
            if (Math.floorMod(key.hashCode(), 4) != Math.floorMod("slow".hashCode(), 4)) {
                keys.add(key);
            }
        }
        int otherRecords = 0;
        for (long offset = 0; offset < 100; offset++) {
            boolean slow = offset == 5 || offset == 50;
            if (!slow) {
                otherRecords++;
            }
            worker.enqueue(record(offset, slow ? "slow" : keys.get((int) (offset % keys.size()))));
        }
        int expectedOthers = otherRecords;
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> others.get() == expectedOthers);

        assertThat(worker.committable()).as("offset 5 is not delivered, so nothing from it on is done").contains(5L);
        assertThat(slowRow).as("the slow row's later change waits behind its earlier one").isEmpty();
        assertThat(worker.pending()).isEqualTo(2);

        release.countDown();
        AtomicLong committed = new AtomicLong(5);
        awaitCommittable(worker, committed, 100);
        assertThat(slowRow).containsExactly(5L, 50L);
    }

    @Test
    void oneLaneDeliversThePartitionInOffsetOrder() {
        List<Long> delivered = new CopyOnWriteArrayList<>();
        AtomicInteger inDelivery = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        PartitionWorker worker = start((subscription, record, w) -> {
            mostAtOnce.accumulateAndGet(inDelivery.incrementAndGet(), Math::max);
            delivered.add(record.offset());
            inDelivery.decrementAndGet();
        }, 1);
        List<Long> sent = new ArrayList<>();
        for (long offset = 0; offset < 500; offset++) {
            sent.add(offset);
            worker.enqueue(record(offset, "row-" + (offset % 7)));
        }
        awaitCommittable(worker, new AtomicLong(-1), 500);
        assertThat(delivered).isEqualTo(sent);
        assertThat(mostAtOnce.get()).isEqualTo(1);
    }

    @Test
    void aPositionPastTransactionMarkersIsDoneOnceTheRecordsBeforeItAre() {
        CountDownLatch release = new CountDownLatch(1);
        PartitionWorker worker = start((subscription, record, w) -> release.await(20, TimeUnit.SECONDS), 8);
        worker.enqueue(record(0, "a"));
        worker.reached(3);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> worker.pending() == 1);
        assertThat(worker.committable()).as("record 0 is still in delivery").contains(0L);
        release.countDown();
        awaitCommittable(worker, new AtomicLong(0), 3);
    }
}
