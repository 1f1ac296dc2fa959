package io.datamanager.gateway.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Delivers one partition's records so that a row's changes go out in order, and tells the poller up to which
 * offset everything is done (delivered or dead-lettered). Besides records it is told the consumer's position after
 * each poll: past transaction markers there is no record, and the committed offset must still reach the end of the
 * partition for the consistency barrier to see it delivered.
 *
 * <p>Records read together in batches ({@link Batches}), or one by one ({@link Delivery}) in lanes: each record goes to
 * the lane its key picks, a virtual thread that delivers its records one after the other, so the changes of one row
 * (one key) stay in order while other rows go out beside them; with one lane the partition's records go out in order.
 * What is done is then the offset of the oldest record not done yet: a record delivered ahead of an older one that
 * still waits (a receiver's retry) is not committed past it, and after a crash it is delivered again (receivers
 * deduplicate by {@code webhook-id}).
 */
final class PartitionWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(PartitionWorker.class);

    @FunctionalInterface
    interface Delivery {
        void deliver(String subscription, ConsumerRecord<String, byte[]> record, PartitionWorker worker) throws InterruptedException;
    }

    /**
     * Delivers records read one after the other together (in their order), for a channel where one round trip can carry
     * many (Redis pipelining); returns when every one of them is done, or when the worker stopped.
     */
    @FunctionalInterface
    interface Batches {
        void deliver(String subscription, List<ConsumerRecord<String, byte[]>> records, PartitionWorker worker) throws InterruptedException;
    }

    /** Most records handed to {@link Batches} at once: those already read, never waiting for more. */
    static final int BATCH = 100;

    /** A record to deliver, or (record null) a position the partition has been read up to. */
    private record Item(ConsumerRecord<String, byte[]> record, long position) {}

    final String subscription;
    private final Delivery delivery;
    private final Batches batches;
    private final Lane[] lanes; // the dispatching thread's own; a lane starts with its first record
    /** Offsets handed to a lane and not done yet. */
    private final ConcurrentSkipListSet<Long> outstanding = new ConcurrentSkipListSet<>();
    /** Everything before this position has been handed to a lane (or needed nothing). */
    private volatile long handedOver = -1;
    private volatile int inFlight; // batches: the records of the batch in delivery
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Object pause = new Object();
    private volatile boolean active = true;
    private volatile long done = -1; // batches: everything before it is done
    private long committed = -1;
    private long reached = -1; // touched by the poller thread only

    /** @param lanes how many records of different keys may be in delivery at once, at least 1; 1: one after the other */
    PartitionWorker(String subscription, Delivery delivery, int lanes) {
        this.subscription = subscription;
        this.delivery = delivery;
        this.batches = null;
        this.lanes = new Lane[lanes];
    }

    PartitionWorker(String subscription, Batches batches) {
        this.subscription = subscription;
        this.delivery = null;
        this.batches = batches;
        this.lanes = new Lane[0];
    }

    void enqueue(ConsumerRecord<String, byte[]> record) {
        reached = Math.max(reached, record.offset() + 1);
        queue.add(new Item(record, record.offset() + 1));
    }

    /** Everything before {@code position} has been handed over: once the queue is through, that much is done. */
    void reached(long position) {
        if (position > reached) {
            reached = position;
            queue.add(new Item(null, position));
        }
    }

    long pending() {
        return queue.size() + inFlight + outstanding.size();
    }

    boolean active() {
        return active;
    }

    /** Stops after the current attempt; what is not done is delivered again by whoever gets the partition. */
    void stop() {
        active = false;
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    /** Waits before the next attempt, cut short by {@link #stop()}. */
    void pause(Duration delay) throws InterruptedException {
        long until = System.nanoTime() + delay.toNanos();
        synchronized (pause) {
            while (active && System.nanoTime() < until) {
                pause.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            }
        }
    }

    /** The offset to commit when it moved since the last call. */
    synchronized Optional<Long> committable() {
        long next = batches != null ? done : doneInLanes();
        if (next > committed) {
            committed = next;
            return Optional.of(next);
        }
        return Optional.empty();
    }

    @Override
    public void run() {
        try {
            while (active) {
                Item item = queue.poll(200, TimeUnit.MILLISECONDS);
                if (item == null) {
                    continue;
                }
                if (batches != null) {
                    deliverWithWhatIsQueued(item);
                } else {
                    handOver(item);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "delivery of %s stopped; its partition is delivered again after a restart", subscription);
        }
    }

    /** The item and whatever is queued behind it, up to {@link #BATCH} records, delivered in one go; done moves past all or none. */
    private void deliverWithWhatIsQueued(Item first) throws InterruptedException {
        List<Item> items = new ArrayList<>();
        items.add(first);
        queue.drainTo(items, BATCH - 1);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(items.size());
        for (Item item : items) {
            if (item.record() != null) {
                records.add(item.record());
            }
        }
        inFlight = items.size();
        try {
            if (!records.isEmpty()) {
                batches.deliver(subscription, records, this);
            }
            if (active) {
                done = Math.max(done, items.get(items.size() - 1).position());
            }
        } finally {
            inFlight = 0;
        }
    }

    /**
     * Everything before the oldest offset still in a lane is done; with none in a lane, everything handed over. The
     * position is read before the outstanding offsets: an offset is added before the position passes it, so one that
     * is missing then was done.
     */
    private long doneInLanes() {
        long position = handedOver;
        Long oldest = outstanding.ceiling(Long.MIN_VALUE); // null when none
        return oldest == null ? position : Math.min(oldest, position);
    }

    /** A record to the lane of its key (started with its first record); a position is handed over at once. */
    private void handOver(Item item) {
        ConsumerRecord<String, byte[]> record = item.record();
        if (record != null) {
            outstanding.add(record.offset());
            lane(record.key()).records.add(record);
        }
        handedOver = Math.max(handedOver, item.position());
    }

    private Lane lane(String key) {
        int index = key == null ? 0 : Math.floorMod(key.hashCode(), lanes.length);
        if (lanes[index] == null) {
            lanes[index] = new Lane();
            Thread.ofVirtual().name("dm-" + subscription + "-lane-" + index).start(lanes[index]);
        }
        return lanes[index];
    }

    /** One lane: its records one after the other; a record is done when delivered or dead-lettered while active. */
    private final class Lane implements Runnable {
        final LinkedBlockingQueue<ConsumerRecord<String, byte[]>> records = new LinkedBlockingQueue<>();

        @Override
        public void run() {
            try {
                while (active) {
                    ConsumerRecord<String, byte[]> record = records.poll(200, TimeUnit.MILLISECONDS);
                    if (record == null) {
                        continue;
                    }
                    delivery.deliver(subscription, record, PartitionWorker.this);
                    if (active) {
                        outstanding.remove(record.offset());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.errorf(e, "delivery of %s stopped; its partition is delivered again after a restart", subscription);
            }
        }
    }
}
