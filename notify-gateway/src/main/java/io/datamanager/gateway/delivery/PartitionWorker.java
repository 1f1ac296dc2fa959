package io.datamanager.gateway.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Delivers one partition's records one after the other, so a row's changes go out in order, and tells the
 * poller up to which offset everything is done (delivered or dead-lettered).
 */
final class PartitionWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(PartitionWorker.class);

    @FunctionalInterface
    interface Delivery {
        void deliver(String subscription, ConsumerRecord<String, byte[]> record, PartitionWorker worker) throws InterruptedException;
    }

    final String subscription;
    private final Delivery delivery;
    private final LinkedBlockingQueue<ConsumerRecord<String, byte[]>> queue = new LinkedBlockingQueue<>();
    private final Object pause = new Object();
    private volatile boolean active = true;
    private volatile long done = -1;
    private long committed = -1;

    PartitionWorker(String subscription, Delivery delivery) {
        this.subscription = subscription;
        this.delivery = delivery;
    }

    void enqueue(ConsumerRecord<String, byte[]> record) {
        queue.add(record);
    }

    long pending() {
        return queue.size();
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
        long next = done;
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
                ConsumerRecord<String, byte[]> record = queue.poll(200, TimeUnit.MILLISECONDS);
                if (record == null) {
                    continue;
                }
                delivery.deliver(subscription, record, this);
                if (active) {
                    done = record.offset() + 1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "delivery of %s stopped; its partition is delivered again after a restart", subscription);
        }
    }
}
